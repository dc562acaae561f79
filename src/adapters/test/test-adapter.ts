import { jsonCodec } from '../../envelope/codecs/index.js';
import type { Envelope } from '../../envelope/envelope.js';
import { EnqueueError } from '../../errors.js';
import type { JobRegistry } from '../../job/registry.js';
import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapter.js';

/** A job the test adapter received. */
export interface RecordedJob {
  /** The envelope as a worker would receive it (JSON-encoded and decoded). */
  readonly envelope: Envelope;
  /** The time given to enqueueAt (or in the bulk item), when there was one. */
  readonly scheduledAt: Date | undefined;
}

export interface TestAdapterOptions {
  /** The jobs performEnqueuedJobs may perform. */
  registry: JobRegistry;
}

/**
 * Records jobs instead of running them, like Active Job's TestAdapter. Inspect them
 * with the helpers in warren/testing (assertEnqueued, enqueuedJobs), run them with
 * performEnqueuedJobs, reset with clear(). Delays are accepted and recorded; nothing
 * waits for them.
 */
export class TestAdapter implements QueueAdapter {
  readonly name = 'test';
  readonly supportsDelays = true;
  readonly registry: JobRegistry;
  /** Jobs enqueued and not yet performed, in order. */
  readonly enqueuedJobs: RecordedJob[] = [];
  /** Jobs performEnqueuedJobs has taken off the queue and performed (or tried to), in order. */
  readonly performedJobs: RecordedJob[] = [];

  constructor(options: TestAdapterOptions) {
    this.registry = options.registry;
  }

  async enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    this.#record(envelope, undefined);
    return {};
  }

  async enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    this.#record(envelope, timestamp);
    return {};
  }

  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    return items.map((item) => {
      try {
        this.#record(item.envelope, item.scheduledAt);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as Error };
      }
    });
  }

  /** Forget every enqueued and performed job. */
  clear(): void {
    this.enqueuedJobs.length = 0;
    this.performedJobs.length = 0;
  }

  async close(): Promise<void> {}

  #record(envelope: Envelope, timestamp: number | undefined): void {
    let decoded: Envelope;
    try {
      decoded = jsonCodec.decode(jsonCodec.encode(envelope));
    } catch (error) {
      throw new EnqueueError(`${envelope.job_class} ${envelope.job_id} could not be encoded: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.enqueuedJobs.push({ envelope: decoded, scheduledAt: timestamp === undefined ? undefined : new Date(timestamp) });
  }
}
