import { destination, pino, type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';

/** How log lines look: one JSON object per line (for log shippers), or readable lines for people. */
export type LogFormat = 'json' | 'pretty';

/**
 * The format when none is asked for: readable lines when the stream is a terminal, JSON
 * otherwise (production, pipes, files). WARREN_LOG_FORMAT=json|pretty overrides.
 */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  const asked = process.env.WARREN_LOG_FORMAT;
  if (asked === 'json' || asked === 'pretty') return asked;
  return stream.isTTY ? 'pretty' : 'json';
}

/**
 * A pino destination on file descriptor `fd` in `format`. Pretty lines are written
 * synchronously (pino-pretty, one line per entry: time, level, message, then the fields), errors
 * without their stack unless the level is debug or lower.
 */
export function logDestination(format: LogFormat, fd = 2, level = 'info'): DestinationStream {
  if (format === 'json') return destination({ dest: fd, sync: true });
  const verbose = level === 'debug' || level === 'trace';
  // Loaded on first use: a production worker logging JSON never loads it.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pinoPretty({
    destination: fd,
    sync: true,
    colorize: process.env.NO_COLOR === undefined,
    translateTime: 'HH:MM:ss.l',
    ignore: verbose ? 'pid,hostname,name' : 'pid,hostname,name,err.stack,stack',
    singleLine: true,
  });
}

/**
 * warren's default logger: pino at WARREN_LOG_LEVEL (default "info"; "silent" in tests).
 * Connection URLs are redacted before they reach any log line (see support/redact.ts).
 */
export function createLogger(level = process.env.WARREN_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info')): Logger {
  return pino({ name: 'warren', level });
}

/**
 * A child logger for one part of warren, tagged `component`. When the parent already carries a
 * component (a worker's logger handed to its connection), the part goes under `subcomponent`
 * instead: pino writes every binding it is given, so a second `component` would make the line
 * JSON with a duplicate key, which strict log ingestion rejects.
 */
export function componentLogger(parent: Logger, component: string, fields: Record<string, unknown> = {}): Logger {
  const taken = Object.hasOwn(parent.bindings(), 'component');
  return parent.child(taken ? { subcomponent: component, ...fields } : { component, ...fields });
}
