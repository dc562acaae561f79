import { pino, type Logger } from 'pino';

/**
 * warren's default logger: pino at WARREN_LOG_LEVEL (default "info"; "silent" in tests).
 * Connection URLs are redacted before they reach any log line (see amqp/redact.ts).
 */
export function createLogger(level = process.env.WARREN_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')): Logger {
  return pino({ name: 'warren', level });
}
