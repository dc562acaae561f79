import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { TypedEmitter } from '../amqp/typed-emitter.js';
import { codecFor } from '../envelope/codecs/index.js';
import type { Envelope } from '../envelope/envelope.js';
import { AdapterError, DeserializationError, EnvelopeError, UnknownJobError } from '../errors.js';
import { executeEnvelope } from '../job/execute.js';
import type { JobRegistry } from '../job/registry.js';
import type { Delivery } from './consumer.js';
import type { DeadLetterReason, DeliveryInfo, WorkerEvents } from './events.js';
import { DeliveryAdapter } from './retry-adapter.js';

/** What happened to a delivery; the worker acks, nacks or leaves it accordingly. */
export type DeliveryVerdict =
  | { action: 'ack' }
  | { action: 'dead-letter'; reason: DeadLetterReason; error: Error }
  | { action: 'requeue'; error: Error }
  /** Shutdown aborted it: no ack, no nack; closing the channel gives it back to the broker. */
  | { action: 'abandon' };

export interface DeliveryContext {
  registry: JobRegistry;
  adapter: QueueAdapter;
  events: TypedEmitter<WorkerEvents>;
  logger: Logger;
  maxMessageBytes: number;
  /** Checks signatures before anything is decoded; undefined: signatures are not checked. */
  signatures?: EnvelopeSigner | undefined;
  signal: AbortSignal;
  /** True once shutdown gave up on in-flight jobs. */
  abandoned: () => boolean;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function reasonFor(error: unknown): DeadLetterReason {
  if (error instanceof UnknownJobError) return 'unknown-job';
  if (error instanceof DeserializationError) return 'deserialization';
  if (error instanceof EnvelopeError) return 'undecodable';
  return 'failed';
}

export function deliveryInfo(delivery: Delivery, envelope?: Envelope): DeliveryInfo {
  const messageId = delivery.message.properties.messageId as string | undefined;
  return {
    queue: delivery.queue,
    messageId,
    jobClass: envelope?.job_class,
    jobId: envelope?.job_id,
    redelivered: delivery.message.fields.redelivered,
  };
}

/** Size check, signature check (before parsing anything), codec: an envelope, or why the message cannot be one. */
function decode(
  delivery: Delivery,
  maxMessageBytes: number,
  signatures: EnvelopeSigner | undefined,
): { envelope: Envelope } | { reason: DeadLetterReason; error: Error } {
  const body = delivery.message.content;
  if (body.length > maxMessageBytes) {
    return { reason: 'too-large', error: new EnvelopeError(`message body is ${body.length} bytes, above the limit of ${maxMessageBytes} bytes`) };
  }
  const signature = signatures?.check(body, delivery.message.properties.headers as Record<string, unknown> | undefined);
  if (signature && !signature.ok) return { reason: signature.reason, error: signature.error };
  try {
    return { envelope: codecFor(delivery.message.properties.contentType as string | undefined).decode(body) };
  } catch (error) {
    return { reason: 'undecodable', error: asError(error) };
  }
}

/**
 * Decode -> registry lookup -> executeEnvelope (locale/timezone, callbacks, perform, the
 * job's retry/discard rules) -> a verdict. Never throws: every failure becomes a verdict.
 */
export async function processDelivery(delivery: Delivery, context: DeliveryContext): Promise<DeliveryVerdict> {
  const { events } = context;
  const decoded = decode(delivery, context.maxMessageBytes, context.signatures);
  if (!('envelope' in decoded)) {
    context.logger.error(
      { queue: delivery.queue, messageId: delivery.message.properties.messageId as unknown, reason: decoded.reason, err: decoded.error },
      'cannot read the message as a job; it goes to the dead-letter queue',
    );
    events.emit('job:error', { ...deliveryInfo(delivery), error: decoded.error, reason: decoded.reason });
    return { action: 'dead-letter', reason: decoded.reason, error: decoded.error };
  }
  const { envelope } = decoded;
  // Payloads are built only for events someone listens to: most workers have no listeners.
  const info = (): DeliveryInfo => deliveryInfo(delivery, envelope);
  const adapter = new DeliveryAdapter(context.adapter, context.abandoned);
  // Object.assign onto a fresh object: a spread here costs about a microsecond per event.
  if (events.has('job:start')) events.emit('job:start', Object.assign(info(), { executions: envelope.executions }));
  try {
    const result = await executeEnvelope(envelope, context.registry, { signal: context.signal, logger: context.logger, adapter });
    if (context.abandoned()) return { action: 'abandon' };
    if (result.outcome === 'retried') {
      if (events.has('job:retry')) events.emit('job:retry', Object.assign(info(), { durationMs: result.durationMs }));
    } else if (events.has('job:complete')) {
      events.emit('job:complete', Object.assign(info(), { outcome: result.outcome, durationMs: result.durationMs }));
    }
    return { action: 'ack' };
  } catch (raw) {
    if (context.abandoned()) return { action: 'abandon' };
    const error = asError(raw);
    if (adapter.failure && !(adapter.failure instanceof AdapterError)) {
      // The job asked for a retry and the retry could not be published: not the job's fault.
      // (An AdapterError, such as a delay the adapter cannot do, will not pass on a redelivery
      // either: that one is dead-lettered like any failure.)
      context.logger.error(
        { job_class: envelope.job_class, job_id: envelope.job_id, queue: delivery.queue, err: adapter.failure },
        'retry could not be enqueued; the delivery goes back to the queue',
      );
      return { action: 'requeue', error: adapter.failure };
    }
    const reason = reasonFor(raw);
    events.emit('job:error', { ...info(), error, reason });
    return { action: 'dead-letter', reason, error };
  }
}
