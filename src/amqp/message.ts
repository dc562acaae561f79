import type { Options } from 'amqplib';
import type { Envelope } from '../envelope/envelope.js';
import { WARREN_VERSION } from '../support/package-info.js';

/**
 * Headers warren writes on job messages. None starts with `x-`: RabbitMQ reserves that prefix
 * (4.x ignores client-set `x-death` and treats `x-` headers as broker annotations).
 */
export const HEADERS = Object.freeze({
  version: 'warren-version',
  /** The envelope's queue_name, so a message can be traced back even after dead-lettering. */
  queue: 'warren-queue',
  /**
   * The envelope's `executions` when it was published: how many times perform has started
   * before. Attempts are counted here and in the envelope, never by copying `x-death`.
   */
  executions: 'warren-executions',
  /** Dead letters (see amqp/dead-letter.ts). */
  reason: 'warren-reason',
  errorClass: 'warren-error-class',
  errorMessage: 'warren-error-message',
  /** The error's stack frames (not its message line), redacted and bounded: where it failed. */
  errorBacktrace: 'warren-error-backtrace',
  /** On a dead letter whose original headers could not be copied (too large to re-encode): why. */
  headersDropped: 'warren-headers-dropped',
  originalQueue: 'warren-original-queue',
  originalExchange: 'warren-original-exchange',
  originalRoutingKey: 'warren-original-routing-key',
  deadAt: 'warren-dead-at',
  /** Signed envelopes (see amqp/signing.ts): `hmac-sha256=<hex>` of the body, and the id of the key. */
  signature: 'warren-signature',
  signatureKey: 'warren-signature-key',
  /**
   * W3C Trace Context (optional): the publishing span's context, written at enqueue when
   * OpenTelemetry is active (src/tracing/), read by the worker as the parent of its span. Named as
   * in the W3C Trace Context AMQP draft; copied like any other header when a message is published
   * again (delay ladder, dead letters, `warren dead retry`).
   */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
});

/**
 * A header of a received message, read as an own property only. amqplib builds the headers table
 * by assignment, so a header named `__proto__` becomes the object's prototype: a plain
 * `headers[name]` would then read what the sender put there under any name.
 */
export function ownHeader(headers: Record<string, unknown> | undefined, name: string): unknown {
  return headers !== undefined && headers !== null && Object.hasOwn(headers, name) ? headers[name] : undefined;
}

/**
 * AMQP properties of a job message: messageId = job id, type = job class, the codec's
 * content type, a timestamp (seconds, as AMQP defines it), the broker priority when the
 * queue has one, persistent delivery, and the warren version, queue and executions headers.
 */
export function jobMessageProperties(
  envelope: Envelope,
  contentType: string,
  brokerPriority: number | undefined,
  extraHeaders?: Record<string, string | number | boolean>,
): Options.Publish & { messageId: string } {
  const headers = hasKeys(extraHeaders) ? ownHeaders(envelope, extraHeaders) : sharedHeaders(envelope.queue_name, envelope.executions);
  const properties: Options.Publish & { messageId: string } = {
    messageId: envelope.job_id,
    type: envelope.job_class,
    contentType,
    timestamp: Math.floor(Date.now() / 1000),
    persistent: true,
    appId: 'warren',
    headers,
  };
  if (brokerPriority !== undefined) properties.priority = brokerPriority;
  return properties;
}

/**
 * amqplib publishes with `Object.create(options.headers)`: each headers object becomes a
 * prototype, for which V8 keeps metadata alive until a full collection. A fresh object per
 * job was promoted to the old generation with it, the producer's longest GC pauses
 * (docs/performance.md, "Why the code is shaped this way"). Headers that many jobs have in common (no
 * extra headers: not delayed, not signed) are therefore shared, frozen, per queue and
 * execution count. Delayed and signed jobs carry per-job headers and still pay it.
 */
const MAX_SHARED_EXECUTIONS = 32;
const MAX_SHARED_QUEUES = 1_024;
const sharedByQueue = new Map<string, Array<Readonly<Record<string, unknown>>>>();

function sharedHeaders(queue: string, executions: number): Readonly<Record<string, unknown>> {
  if (!Number.isInteger(executions) || executions < 0 || executions >= MAX_SHARED_EXECUTIONS) return ownHeaders({ queue_name: queue, executions });
  let byExecutions = sharedByQueue.get(queue);
  if (!byExecutions) {
    if (sharedByQueue.size >= MAX_SHARED_QUEUES) sharedByQueue.clear();
    byExecutions = [];
    sharedByQueue.set(queue, byExecutions);
  }
  return (byExecutions[executions] ??= Object.freeze(ownHeaders({ queue_name: queue, executions })));
}

/** Extra headers first, warren's own over them. */
function ownHeaders(envelope: Pick<Envelope, 'queue_name' | 'executions'>, extraHeaders?: Record<string, string | number | boolean>): Record<string, unknown> {
  const headers: Record<string, unknown> = extraHeaders ? Object.assign({}, extraHeaders) : {};
  headers[HEADERS.version] = WARREN_VERSION;
  headers[HEADERS.queue] = envelope.queue_name;
  headers[HEADERS.executions] = envelope.executions;
  return headers;
}

function hasKeys(value: Record<string, unknown> | undefined): value is Record<string, string | number | boolean> {
  if (!value) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}
