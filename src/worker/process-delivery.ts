import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { TypedEmitter } from '../support/typed-emitter.js';
import { codecFor } from '../envelope/codecs/index.js';
import type { Envelope } from '../envelope/envelope.js';
import { AdapterError, DeserializationError, EnvelopeError, SignatureError, UnknownJobError } from '../errors.js';
import { runEnvelope, type ExecutionResult, type ExecutionSink } from '../job/execution.js';
import type { JobRegistry } from '../job/registry.js';
import type { Delivery } from './consumer.js';
import type { DeadLetterReason, DeliveryInfo, WorkerEvents } from './events.js';
import { DeliveryAdapter } from './delivery-adapter.js';

/** What happened to a delivery; the worker acks, nacks or leaves it accordingly. */
export type DeliveryVerdict =
  | { action: 'ack' }
  /** `envelope`: when the message could be read as one (its job id then travels in the events). */
  | { action: 'dead-letter'; reason: DeadLetterReason; error: Error; envelope?: Envelope | undefined }
  | { action: 'requeue'; error: Error; envelope?: Envelope | undefined }
  /** Shutdown aborted it: no ack, no nack; closing the channel gives it back to the broker. */
  | { action: 'abandon'; envelope?: Envelope | undefined };

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

/** Why a message cannot be read as a job. */
class Undecodable {
  constructor(
    readonly reason: DeadLetterReason,
    readonly error: Error,
  ) {}
}

/** Size check, signature check (before parsing anything), codec: an envelope, or why the message cannot be one. */
function decode(delivery: Delivery, maxMessageBytes: number, signatures: EnvelopeSigner | undefined): Envelope | Undecodable {
  const body = delivery.message.content;
  if (body.length > maxMessageBytes) {
    return new Undecodable('too-large', new EnvelopeError(`message body is ${body.length} bytes, above the limit of ${maxMessageBytes} bytes`));
  }
  const signature = signatures?.check(body, delivery.message.properties.headers as Record<string, unknown> | undefined);
  if (signature && !signature.ok) return new Undecodable(signature.reason, signature.error);
  let envelope: Envelope;
  try {
    envelope = codecFor(delivery.message.properties.contentType as string | undefined).decode(body);
  } catch (error) {
    return new Undecodable('undecodable', asError(error));
  }
  if (signatures?.checkQueue && signature?.keyId !== undefined && envelope.queue_name !== delivery.queue) {
    const error = new SignatureError(
      `the envelope is signed for queue "${envelope.queue_name}" but was delivered from "${delivery.queue}" (signing.checkQueue): a signed job copied into another queue does not run there`,
    );
    return new Undecodable('bad-signature', error);
  }
  return envelope;
}

/** The verdict of every delivery performed without trouble: compare with `===`. */
export const ACK: DeliveryVerdict = Object.freeze({ action: 'ack' });

/** Where a delivery's verdict goes (one object per worker, so a delivery needs no closures of its own). */
export interface VerdictSink {
  verdict(delivery: Delivery, verdict: DeliveryVerdict): void;
  /** warren's own handling failed (a logger or an event listener threw). */
  error(delivery: Delivery, error: unknown): void;
}

/**
 * Decode -> registry lookup -> executeEnvelope (locale/timezone, callbacks, perform, the
 * job's retry/discard rules) -> a verdict. Every failure of the job becomes a verdict; it
 * throws or rejects only when warren's own handling fails (a logger that throws).
 */
export function processDelivery(delivery: Delivery, context: DeliveryContext): Promise<DeliveryVerdict> {
  return new Promise((resolve, reject) => {
    runDelivery(delivery, context, { verdict: (_, verdict) => resolve(verdict), error: (_, error) => reject(error) });
  });
}

/**
 * processDelivery with the verdict handed to `sink`: what the worker calls. A delivery in
 * flight holds its envelope, its job, a DeliveryRun and one promise reaction, not a promise
 * per layer (bench/README.md, "Memory"); a perform that returns without a promise reaches
 * the sink before this returns. Throws only when warren's own handling fails before perform.
 */
export function runDelivery(delivery: Delivery, context: DeliveryContext, sink: VerdictSink): void {
  const { events } = context;
  const decoded = decode(delivery, context.maxMessageBytes, context.signatures);
  if (decoded instanceof Undecodable) {
    context.logger.error(
      { queue: delivery.queue, messageId: delivery.message.properties.messageId as unknown, reason: decoded.reason, err: decoded.error },
      'cannot read the message as a job; it goes to the dead-letter queue',
    );
    events.emit('job:error', { ...deliveryInfo(delivery), error: decoded.error, reason: decoded.reason });
    sink.verdict(delivery, { action: 'dead-letter', reason: decoded.reason, error: decoded.error });
    return;
  }
  const envelope = decoded;
  const run = new DeliveryRun(delivery, envelope, new DeliveryAdapter(context.adapter, context.abandoned), context, sink);
  // Payloads are built only for events someone listens to (most workers have no listeners),
  // with Object.assign onto a fresh object: a spread here costs about a microsecond per event.
  if (events.has('job:start')) events.emit('job:start', Object.assign(deliveryInfo(delivery, envelope), { executions: envelope.executions }));
  runEnvelope(envelope, context.registry, { signal: context.signal, logger: context.logger, adapter: run.adapter }, run);
}

/** One delivery being performed: turns the execution's end into a verdict for the sink. */
class DeliveryRun implements ExecutionSink {
  constructor(
    private readonly delivery: Delivery,
    private readonly envelope: Envelope,
    readonly adapter: DeliveryAdapter,
    private readonly context: DeliveryContext,
    private readonly sink: VerdictSink,
  ) {}

  ended(result: ExecutionResult): void {
    let verdict: DeliveryVerdict;
    try {
      verdict = completed(this.delivery, this.envelope, result, this.context);
    } catch (error) {
      this.sink.error(this.delivery, error);
      return;
    }
    this.sink.verdict(this.delivery, verdict);
  }

  failed(raw: unknown): void {
    let verdict: DeliveryVerdict;
    try {
      verdict = failed(this.delivery, this.envelope, raw, this.adapter, this.context);
    } catch (error) {
      this.sink.error(this.delivery, error);
      return;
    }
    this.sink.verdict(this.delivery, verdict);
  }
}

function completed(delivery: Delivery, envelope: Envelope, result: ExecutionResult, context: DeliveryContext): DeliveryVerdict {
  if (context.abandoned()) return { action: 'abandon', envelope };
  const { events } = context;
  if (result.outcome === 'retried') {
    if (events.has('job:retry')) events.emit('job:retry', Object.assign(deliveryInfo(delivery, envelope), { durationMs: result.durationMs }));
  } else if (events.has('job:complete')) {
    events.emit('job:complete', Object.assign(deliveryInfo(delivery, envelope), { outcome: result.outcome, durationMs: result.durationMs }));
  }
  return ACK;
}

function failed(delivery: Delivery, envelope: Envelope, raw: unknown, adapter: DeliveryAdapter, context: DeliveryContext): DeliveryVerdict {
  if (context.abandoned()) return { action: 'abandon', envelope };
  const error = asError(raw);
  if (adapter.failure && !(adapter.failure instanceof AdapterError)) {
    // The job asked for a retry and the retry could not be published: not the job's fault.
    // (An AdapterError, such as a delay the adapter cannot do, will not pass on a redelivery
    // either: that one is dead-lettered like any failure.)
    context.logger.error(
      { job_class: envelope.job_class, job_id: envelope.job_id, queue: delivery.queue, err: adapter.failure },
      'retry could not be enqueued; the delivery goes back to the queue',
    );
    return { action: 'requeue', error: adapter.failure, envelope };
  }
  const reason = reasonFor(raw);
  context.events.emit('job:error', { ...deliveryInfo(delivery, envelope), error, reason });
  return { action: 'dead-letter', reason, error, envelope };
}
