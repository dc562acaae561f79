import type { Envelope } from '../envelope/envelope.js';

/**
 * The queue adapter contract: how jobs leave the process. Adapters see envelopes
 * only, never job classes. Retries live in the job layer and need just `enqueueAt`.
 *
 * Implementations: adapters/inline, adapters/async, adapters/test, adapters/amqp.
 */
export interface QueueAdapter {
  /** Short name used in logs ("inline", "async", "test", "amqp"). */
  readonly name: string;
  /** Whether enqueueAt can hold a job until a later time. */
  readonly supportsDelays: boolean;
  /**
   * Enqueue for execution as soon as possible. Resolves only when the job is
   * durably accepted (for AMQP: publisher-confirmed); rejects with EnqueueError.
   */
  enqueue(envelope: Envelope): Promise<EnqueueReceipt>;
  /** Enqueue to run no earlier than `timestamp` (milliseconds since the epoch). */
  enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt>;
  /**
   * One bulk call for many jobs; never rejects for a single job's failure.
   * Returns one outcome per item, in order.
   */
  enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]>;
  /** Release connections and timers. Jobs already accepted are not lost (except async, by design). */
  close(): Promise<void>;
}

export interface EnqueueReceipt {
  /** The adapter's own id for the job, when it has one. */
  providerJobId?: string;
}

export interface BulkItem {
  envelope: Envelope;
  /** Milliseconds since the epoch; absent = now. */
  scheduledAt?: number;
}

export type BulkOutcome = { ok: true; providerJobId?: string } | { ok: false; error: Error };
