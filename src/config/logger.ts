import { pino, symbols, type DestinationStream, type Level, type Logger } from 'pino';
import { createRequire } from 'node:module';
import { BufferedLineDestination } from './log-destination.js';

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
 * A pino destination on file descriptor `fd` in `format`. JSON lines are gathered and written
 * together, at most 5 ms late (BufferedLineDestination). Pretty lines
 * are written synchronously (pino-pretty, one line per entry: time, level, message, then the
 * fields), errors without their stack unless the level is debug or lower.
 */
export function logDestination(format: LogFormat, fd = 2, level = 'info'): DestinationStream {
  if (format === 'json') return BufferedLineDestination.onFd(fd);
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

/** Loggers warren made with pino's default options (and their component children): see directLine. */
const plainLoggers = new WeakSet<Logger>();

/**
 * warren's default logger: pino at WARREN_LOG_LEVEL (default "info"; "silent" in tests), JSON
 * lines on stdout gathered and written together, at most 5 ms late (BufferedLineDestination), or on
 * `stream`. Connection URLs are redacted before they reach any log line (see support/redact.ts).
 */
export function createLogger(
  level = process.env.WARREN_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  stream: DestinationStream = BufferedLineDestination.onFd(1),
): Logger {
  const logger = pino({ name: 'warren', level }, stream);
  plainLoggers.add(logger);
  return logger;
}

/**
 * A child logger for one part of warren, tagged `component`. When the parent already carries a
 * component (a worker's logger handed to its connection), the part goes under `subcomponent`
 * instead: pino writes every binding it is given, so a second `component` would make the line
 * JSON with a duplicate key, which strict log ingestion rejects.
 */
export function componentLogger(parent: Logger, component: string, fields: Record<string, unknown> = {}): Logger {
  const taken = Object.hasOwn(parent.bindings(), 'component');
  const child = parent.child(taken ? { subcomponent: component, ...fields } : { component, ...fields });
  if (plainLoggers.has(parent)) plainLoggers.add(child);
  return child;
}

/** The parts of pino's logger a direct line reads (pino.symbols, public since pino 5). */
interface PinoInternals {
  [symbols.streamSym]: unknown;
  [symbols.chindingsSym]: string;
}

/**
 * Writes one JSON line exactly as pino would write `logger[level](fields, message)`, for a
 * logger warren made with pino's defaults (createLogger, componentLogger) writing to a
 * BufferedLineDestination: `{"level":30,"time":<ms>` + the logger's bindings + `fieldsJson`
 * (`,"key":value` pairs, already JSON) + `,"msg":...}`. Returns false, writing nothing, for any
 * other logger (the caller then logs through pino). pino's generic serialization of a line's
 * object costs more than the rest of the line here (docs/performance.md); the per-job lines
 * (src/job/logging.ts) use this. A unit test compares both outputs byte for byte.
 */
export function directLine(logger: Logger, level: Level, fieldsJson: string, message: string): boolean {
  if (!plainLoggers.has(logger)) return false;
  const internals = logger as unknown as PinoInternals;
  const stream = internals[symbols.streamSym];
  if (!(stream instanceof BufferedLineDestination)) return false;
  stream.write(
    `{"level":${logger.levels.values[level]},"time":${Date.now()}${internals[symbols.chindingsSym]}${fieldsJson},"msg":${JSON.stringify(message)}}\n`,
  );
  return true;
}
