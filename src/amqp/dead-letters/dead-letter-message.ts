import type { Message } from 'amqplib';
import { codecFor } from '../../envelope/codecs/index.js';
import { HEADERS, ownHeader } from '../message.js';

/** One message of the dead-letter queue, as `warren dead list` shows it. */
export interface DeadLetter {
  /** The AMQP message id: the job id for warren jobs. */
  jobId: string | undefined;
  /** The AMQP type property: the job class for warren jobs. */
  jobClass: string | undefined;
  /**
   * Why it is here: warren's reason (`failed`, `unknown-job`, `undecodable`, `deserialization`, `unsigned`, `bad-signature`,
   * `too-large`), or, for messages the broker dead-lettered, `delivery-limit` (a quorum queue's
   * x-delivery-limit), `undeliverable` (a delayed job whose queue was gone) or the broker's reason.
   */
  reason: string;
  errorClass: string | undefined;
  /** Bounded and redacted when warren wrote it. */
  errorMessage: string | undefined;
  /** The error's stack frames, one per entry (`at perform (file:line:col)`), when warren wrote them. */
  errorBacktrace: string[] | undefined;
  /**
   * The job's arguments in their wire form (Active Job's JSON: `_aj_*` hashes and GlobalID
   * strings, never turned into objects or records), when the body is a decodable envelope.
   */
  arguments: unknown[] | undefined;
  /** The queue it is sent back to by `warren dead retry`; undefined when no header tells. */
  originalQueue: string | undefined;
  originalRoutingKey: string | undefined;
  /** ISO 8601. */
  deadAt: string | undefined;
  /** How many times it was performed, the failed execution included (warren-executions). */
  executions: number | undefined;
}

/** Headers only the dead-letter queue adds; removed when a job is sent back to its queue. */
export const DEAD_LETTER_HEADERS: readonly string[] = [
  HEADERS.reason,
  HEADERS.errorClass,
  HEADERS.errorMessage,
  HEADERS.errorBacktrace,
  HEADERS.originalQueue,
  HEADERS.originalExchange,
  HEADERS.originalRoutingKey,
  HEADERS.deadAt,
];

interface DeathEntry {
  queue?: unknown;
  reason?: unknown;
  time?: unknown;
  'routing-keys'?: unknown;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

function firstDeath(headers: Record<string, unknown>): DeathEntry | undefined {
  const deaths = ownHeader(headers, 'x-death');
  return Array.isArray(deaths) && deaths.length > 0 ? (deaths[0] as DeathEntry) : undefined;
}

function brokerReason(reason: string | undefined): string {
  if (reason === 'delivery_limit') return 'delivery-limit';
  // The only expiring queues that lead here are the delay ladder's (through its undeliverable exchange).
  if (reason === 'expired') return 'undeliverable';
  return reason ?? 'unknown';
}

function deathTime(death: DeathEntry | undefined): string | undefined {
  const time = death?.time as { value?: unknown } | number | undefined;
  const seconds = typeof time === 'number' ? time : typeof time?.value === 'number' ? time.value : undefined;
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

/**
 * The `arguments` of the envelope in the body, as they travel: decoded by the codec of its
 * content type (JSON or protobuf) without deserializing anything. Undefined when the body is
 * not a decodable envelope (the reason it is here may be just that).
 */
function wireArguments(message: Message): unknown[] | undefined {
  try {
    const envelope = codecFor(text(message.properties.contentType)).decode(message.content);
    return Array.isArray(envelope.arguments) ? envelope.arguments : undefined;
  } catch {
    return undefined;
  }
}

/** What a dead-letter message says about itself: warren's headers first, then the broker's x-death. */
export function describeDeadLetter(message: Message): DeadLetter {
  const properties = message.properties;
  const headers = (properties.headers ?? {}) as Record<string, unknown>;
  const death = firstDeath(headers);
  const warrenReason = text(ownHeader(headers, HEADERS.reason));
  const executions = ownHeader(headers, HEADERS.executions);
  const deathKeys = Array.isArray(death?.['routing-keys']) ? (death['routing-keys'] as unknown[]).map(text) : [];
  return {
    jobId: text(properties.messageId),
    jobClass: text(properties.type),
    reason: warrenReason ?? brokerReason(text(death?.reason)),
    errorClass: text(ownHeader(headers, HEADERS.errorClass)),
    errorMessage: text(ownHeader(headers, HEADERS.errorMessage)),
    errorBacktrace: text(ownHeader(headers, HEADERS.errorBacktrace))?.split('\n').filter(Boolean),
    arguments: wireArguments(message),
    originalQueue: text(ownHeader(headers, HEADERS.originalQueue)) ?? text(ownHeader(headers, HEADERS.queue)) ?? text(death?.queue),
    originalRoutingKey: text(ownHeader(headers, HEADERS.originalRoutingKey)) ?? deathKeys[0],
    deadAt: text(ownHeader(headers, HEADERS.deadAt)) ?? deathTime(death),
    executions: typeof executions === 'number' ? executions : undefined,
  };
}
