import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import type { Envelope } from '../envelope/envelope.js';
import { AdapterError, DeserializationError, EnvelopeError, UnknownJobError } from '../errors.js';
import { runEnvelope, type ExecutionResult, type ExecutionSink, type ExecutionTracker } from '../job/execution.js';
import type { JobRegistry } from '../job/registry.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import { startProcessTrace, type ProcessTrace } from '../tracing/job-spans.js';
import { decode, Undecodable, type DecodeOptions } from './decode.js';
import type { ContinuationSupport } from './continuation-host.js';
import type { FlowGate, FlowLimits } from './flow-gate.js';
import { DeliveryAdapter } from './delivery-adapter.js';
import { ACK, deliveryInfo, POSTPONED, type Delivery, type DeliveryVerdict, type VerdictSink } from './delivery.js';
import type { DeadLetterReason, WorkerEvents } from './events.js';

/** What performing a delivery needs, the same for every delivery of a worker. */
export interface DeliveryContext extends DecodeOptions {
  registry: JobRegistry;
  adapter: QueueAdapter;
  events: TypedEmitter<WorkerEvents>;
  logger: Logger;
  signal: AbortSignal;
  /** True once shutdown gave up on in-flight jobs. */
  abandoned: () => boolean;
  /** The worker's list of running jobs (heartbeats, cancel), when it keeps one. */
  tracker?: ExecutionTracker | undefined;
  /** What continuable jobs need of the worker (stop requests, consumer-timeout deadlines, crash checkpoints). */
  continuations?: ContinuationSupport | undefined;
  /** Per-key concurrency and rate limits (`static concurrency`, `static rateLimit`), when a registered class declares one. */
  gate?: FlowGate | undefined;
}

/**
 * A delivery's way to its verdict: decode -> runEnvelope (registry lookup, locale and
 * timezone, callbacks, perform, the job's retry and discard rules) -> handleCompleted or
 * handleFailed, which hand the verdict to `sink`. Every failure of the job becomes a
 * verdict; `sink.error` hears only of failures of warren's own handling (a logger that
 * throws). A delivery in flight holds its envelope, its job, a DeliveryRun and one promise
 * reaction; a perform that returns without a promise reaches the sink before this returns.
 */
export function performDelivery(delivery: Delivery, context: DeliveryContext, sink: VerdictSink): void {
  // Undefined unless OpenTelemetry is installed and something is registered with it (src/tracing/).
  const trace = startProcessTrace(delivery.queue, delivery.message);
  const decoded = decode(delivery, context);
  if (decoded instanceof Undecodable) {
    const verdict = handleUndecodable(delivery, decoded, context);
    trace?.end('undecodable', verdict.action, decoded.error);
    sink.verdict(delivery, verdict);
    return;
  }
  const limit = context.gate?.limitFor(decoded);
  if (limit !== undefined) {
    performGated(delivery, decoded, limit, context, sink, trace);
    return;
  }
  performDecoded(delivery, decoded, context, sink, trace);
}

/** The job of a limited class: run once it holds a slot and a permit (the slot released with the verdict), or published again for later and acked. */
function performGated(
  delivery: Delivery,
  decoded: Envelope,
  limit: FlowLimits,
  context: DeliveryContext,
  sink: VerdictSink,
  trace: ProcessTrace | undefined,
): void {
  context.gate!.admit(decoded, limit).then(
    (decision) => {
      if (decision.run) {
        performDecoded(delivery, decoded, context, new ReleasingSink(sink, decision.release), trace);
        return;
      }
      trace?.end('postponed', 'ack');
      sink.verdict(delivery, POSTPONED);
    },
    (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      context.logger.warn(
        { job_id: decoded.job_id, queue: delivery.queue, err: failure },
        'over its limit, and could not be published again: back to the queue',
      );
      trace?.end('failed', 'requeue', failure);
      sink.verdict(delivery, { action: 'requeue', error: failure, envelope: decoded });
    },
  );
}

/** Frees the job's concurrency slot as its verdict is known. */
class ReleasingSink implements VerdictSink {
  constructor(
    private readonly sink: VerdictSink,
    private readonly release: () => void,
  ) {}

  verdict(delivery: Delivery, verdict: DeliveryVerdict): void {
    this.release();
    this.sink.verdict(delivery, verdict);
  }

  error(delivery: Delivery, error: unknown): void {
    this.release();
    this.sink.error(delivery, error);
  }
}

/** A decoded delivery, performed: the job:start event, then runEnvelope with the delivery's adapter. */
function performDecoded(delivery: Delivery, decoded: Envelope, context: DeliveryContext, sink: VerdictSink, trace: ProcessTrace | undefined): void {
  const run = new DeliveryRun(
    delivery,
    decoded,
    new DeliveryAdapter(context.adapter, context.abandoned, context.continuations, delivery, decoded),
    context,
    sink,
    trace,
  );
  // Payloads are built only for events someone listens to (most workers have no listeners).
  if (context.events.has('job:start')) {
    context.events.emit('job:start', Object.assign(deliveryInfo(delivery, decoded), { executions: decoded.executions, enqueuedAt: enqueuedAtMs(decoded) }));
  }
  if (trace === undefined) {
    runEnvelope(decoded, context.registry, { signal: context.signal, logger: context.logger, adapter: run.adapter, tracker: context.tracker }, run);
    return;
  }
  // Traced: the job runs in the span's context, so its retry (published from inside) is a child of it.
  trace.job(decoded);
  trace.run(() =>
    runEnvelope(decoded, context.registry, { signal: context.signal, logger: context.logger, adapter: run.adapter, tracker: context.tracker }, run),
  );
}

/** The envelope's enqueued_at in ms since the epoch (undefined when absent or unreadable). */
function enqueuedAtMs(envelope: Envelope): number | undefined {
  const at = envelope.enqueued_at ? Date.parse(envelope.enqueued_at) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

function handleUndecodable(delivery: Delivery, undecodable: Undecodable, context: DeliveryContext): DeliveryVerdict {
  const { reason, error } = undecodable;
  context.logger.error(
    { queue: delivery.queue, messageId: delivery.message.properties.messageId as unknown, reason, err: error },
    'cannot read the message as a job; it goes to the dead-letter queue',
  );
  context.events.emit('job:error', { ...deliveryInfo(delivery), error, reason });
  return undecodable;
}

/** Performed, retried, discarded or skipped: ack (the events are built only when listened to). */
function handleCompleted(delivery: Delivery, envelope: Envelope, result: ExecutionResult, context: DeliveryContext): DeliveryVerdict {
  if (context.abandoned()) return { action: 'abandon', envelope };
  const { events } = context;
  if (result.outcome === 'retried') {
    if (events.has('job:retry')) events.emit('job:retry', Object.assign(deliveryInfo(delivery, envelope), { durationMs: result.durationMs }));
  } else if (events.has('job:complete')) {
    events.emit('job:complete', Object.assign(deliveryInfo(delivery, envelope), { outcome: result.outcome, durationMs: result.durationMs }));
  }
  return ACK;
}

/** No rule handled the error: dead-letter it, unless it was the retry's publish that failed (requeue). */
function handleFailed(delivery: Delivery, envelope: Envelope, raw: unknown, adapter: DeliveryAdapter, context: DeliveryContext): DeliveryVerdict {
  if (context.abandoned()) return { action: 'abandon', envelope };
  const error = raw instanceof Error ? raw : new Error(String(raw));
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

function reasonFor(error: unknown): DeadLetterReason {
  if (error instanceof UnknownJobError) return 'unknown-job';
  if (error instanceof DeserializationError) return 'deserialization';
  if (error instanceof EnvelopeError) return 'undecodable';
  return 'failed';
}

/** One delivery being performed: where its execution ends (a sink, so no closures per delivery). */
class DeliveryRun implements ExecutionSink {
  constructor(
    private readonly delivery: Delivery,
    private readonly envelope: Envelope,
    readonly adapter: DeliveryAdapter,
    private readonly context: DeliveryContext,
    private readonly sink: VerdictSink,
    /** The delivery's span, when traced: ended once the verdict is known. */
    private readonly trace: ProcessTrace | undefined,
  ) {}

  ended(result: ExecutionResult): void {
    let verdict: DeliveryVerdict;
    try {
      verdict = handleCompleted(this.delivery, this.envelope, result, this.context);
    } catch (error) {
      this.trace?.end(result.outcome, 'error', error);
      this.sink.error(this.delivery, error);
      return;
    }
    this.trace?.end(verdict.action === 'abandon' ? 'abandoned' : result.outcome, verdict.action);
    this.sink.verdict(this.delivery, verdict);
  }

  failed(error: unknown): void {
    let verdict: DeliveryVerdict;
    try {
      verdict = handleFailed(this.delivery, this.envelope, error, this.adapter, this.context);
    } catch (thrown) {
      this.trace?.end('failed', 'error', thrown);
      this.sink.error(this.delivery, thrown);
      return;
    }
    if (this.trace) endFailedTrace(this.trace, verdict, error);
    this.sink.verdict(this.delivery, verdict);
  }
}

/** Ends the span of a job that failed: an error status, except when shutdown abandoned it (not the job's failure: the broker delivers it again). */
function endFailedTrace(trace: ProcessTrace, verdict: DeliveryVerdict, error: unknown): void {
  if (verdict.action === 'abandon') trace.end('abandoned', verdict.action);
  // Requeued: the retry's publish failed, that is the error to show.
  else if (verdict.action === 'requeue') trace.end('failed', verdict.action, verdict.error);
  else trace.end('failed', verdict.action, error);
}
