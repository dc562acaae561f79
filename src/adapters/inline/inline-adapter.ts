import type { Logger } from 'pino';
import { jsonCodec } from '../../envelope/codecs/index.js';
import type { Envelope } from '../../envelope/envelope.js';
import { AdapterError, EnqueueError } from '../../errors.js';
import { executeEnvelope } from '../../job/execution.js';
import type { JobRegistry } from '../../job/registry.js';
import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapter.js';

export interface InlineAdapterOptions {
  /** The jobs this adapter may perform. */
  registry: JobRegistry;
  /** Parent logger for executions. Default: settings().logger. */
  logger?: Logger;
  /**
   * Called with the error of a job that failed (after it was logged as 'failed').
   * Default: none; the failure is only logged.
   */
  onError?: (error: unknown, envelope: Envelope) => void;
}

/**
 * Performs every job at once, inside the enqueue call: performLater resolves after
 * the job has run. For development and tests; there is no queue.
 *
 * - Every envelope is JSON-encoded and decoded first, for parity with real adapters.
 * - Delays are refused with AdapterError (performLater then throws an EnqueueError
 *   whose cause is that AdapterError); a time that is already due is not a delay, so
 *   retries with no wait run at once, nested in the failed execution.
 * - A job's failure does not reject the enqueue (the job was accepted and performed,
 *   as with every other adapter); it is logged and passed to `onError`. Rails' inline
 *   adapter raises the job's error from perform_later instead.
 * - With `attempts: 'unlimited'` and a job that always fails, retries never end.
 */
export class InlineAdapter implements QueueAdapter {
  readonly name = 'inline';
  readonly supportsDelays = false;
  readonly #options: InlineAdapterOptions;

  constructor(options: InlineAdapterOptions) {
    this.#options = options;
  }

  async enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    const decoded = roundTrip(envelope);
    try {
      await executeEnvelope(decoded, this.#options.registry, { adapter: this, ...this.#logger() });
    } catch (error) {
      this.#options.onError?.(error, decoded);
    }
    return {};
  }

  async enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    if (timestamp > Date.now()) {
      throw new AdapterError(
        `the inline adapter performs jobs at once and cannot delay them (${envelope.job_class} scheduled for ` +
          `${new Date(timestamp).toISOString()}); use the async or amqp adapter for delays`,
      );
    }
    return this.enqueue(envelope);
  }

  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    const outcomes: BulkOutcome[] = [];
    for (const item of items) {
      try {
        if (item.scheduledAt === undefined) await this.enqueue(item.envelope);
        else await this.enqueueAt(item.envelope, item.scheduledAt);
        outcomes.push({ ok: true });
      } catch (error) {
        outcomes.push({ ok: false, error: error instanceof Error ? error : new EnqueueError(String(error)) });
      }
    }
    return outcomes;
  }

  async close(): Promise<void> {}

  #logger(): { logger?: Logger } {
    return this.#options.logger ? { logger: this.#options.logger } : {};
  }
}

/** Encode and decode with the JSON codec, so what a real broker would refuse fails here too. */
function roundTrip(envelope: Envelope): Envelope {
  try {
    return jsonCodec.decode(jsonCodec.encode(envelope));
  } catch (error) {
    throw new EnqueueError(`${envelope.job_class} ${envelope.job_id} could not be encoded: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
