import type { Logger } from 'pino';
import { settings } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { jsonCodec } from '../../envelope/codecs/index.js';
import type { Envelope } from '../../envelope/envelope.js';
import { ConfigurationError, EnqueueError } from '../../errors.js';
import { executeEnvelope } from '../../job/execution.js';
import type { JobRegistry } from '../../job/registry.js';
import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapter.js';
import { DelayTimers } from './delay-timers.js';

export interface AsyncAdapterOptions {
  /** The jobs this adapter may perform. */
  registry: JobRegistry;
  /** Jobs performed at the same time. Default: DEFAULTS.asyncConcurrency. */
  concurrency?: number;
  /** Parent logger for executions. Default: settings().logger. */
  logger?: Logger;
  /**
   * Called with the error of a job that failed (after it was logged as 'failed');
   * `envelope` is undefined when the stored body could not be decoded. Default: none.
   */
  onError?: (error: unknown, envelope: Envelope | undefined) => void;
}

/**
 * Performs jobs in this process, in the background: a pool of at most `concurrency`
 * jobs at a time, FIFO (priorities are carried in the envelope but not used for
 * ordering, as with Rails' async adapter), timers for delayed jobs. Every envelope is
 * JSON-encoded at enqueue and decoded at perform, for parity with real adapters.
 *
 * Jobs live in memory only: queued and delayed jobs are LOST when the process exits.
 * Pending timers keep the process alive; `close()` drops them. Use `drain()` to wait
 * until every job (delayed ones and retries included) has been performed.
 */
export class AsyncAdapter implements QueueAdapter {
  readonly name = 'async';
  readonly supportsDelays = true;
  readonly #options: AsyncAdapterOptions;
  readonly #concurrency: number;
  readonly #ready: Buffer[] = [];
  readonly #timers = new DelayTimers();
  readonly #idleWaiters: Array<() => void> = [];
  #running = 0;
  #pumpScheduled = false;
  #closed = false;

  constructor(options: AsyncAdapterOptions) {
    const concurrency = options.concurrency ?? DEFAULTS.asyncConcurrency;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new ConfigurationError(`async adapter: concurrency must be an integer >= 1 (got ${concurrency})`);
    }
    this.#options = options;
    this.#concurrency = concurrency;
  }

  async enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    this.#accept(envelope, undefined);
    return {};
  }

  async enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    this.#accept(envelope, timestamp);
    return {};
  }

  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    return items.map((item) => {
      try {
        this.#accept(item.envelope, item.scheduledAt);
        return { ok: true };
      } catch (error) {
        return { ok: false, error: error as Error };
      }
    });
  }

  /** Resolves when nothing is running, queued or waiting on a timer. */
  drain(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stop accepting jobs, drop queued and delayed ones (logged), and wait for running ones. */
  async close(): Promise<void> {
    this.#closed = true;
    const dropped = this.#ready.length + this.#timers.size;
    this.#ready.length = 0;
    this.#timers.clear();
    if (dropped > 0) this.#logger().warn({ adapter: this.name, dropped }, 'async adapter closed; queued jobs dropped');
    this.#notifyIfIdle();
    await this.drain();
  }

  #accept(envelope: Envelope, timestamp: number | undefined): void {
    if (this.#closed) throw new EnqueueError(`the async adapter is closed; ${envelope.job_class} ${envelope.job_id} was not enqueued`);
    let body: Buffer;
    try {
      body = jsonCodec.encode(envelope);
    } catch (error) {
      throw new EnqueueError(`${envelope.job_class} ${envelope.job_id} could not be encoded: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (timestamp !== undefined && timestamp > Date.now()) {
      this.#timers.add(timestamp, () => this.#makeReady(body));
    } else {
      this.#makeReady(body);
    }
  }

  #makeReady(body: Buffer): void {
    this.#ready.push(body);
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // Start jobs on a later turn, so performLater resolves before its job runs.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
      this.#notifyIfIdle();
    });
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#ready.length > 0) {
      const body = this.#ready.shift()!;
      this.#running += 1;
      void this.#perform(body).finally(() => {
        this.#running -= 1;
        this.#pump();
        this.#notifyIfIdle();
      });
    }
  }

  async #perform(body: Buffer): Promise<void> {
    let envelope: Envelope | undefined;
    try {
      envelope = jsonCodec.decode(body);
      await executeEnvelope(envelope, this.#options.registry, { adapter: this, logger: this.#logger() });
    } catch (error) {
      if (envelope === undefined) this.#logger().error({ err: error }, 'async adapter: undecodable envelope dropped');
      this.#options.onError?.(error, envelope);
    }
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#ready.length === 0 && this.#timers.size === 0 && !this.#pumpScheduled;
  }

  #notifyIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #logger(): Logger {
    return this.#options.logger ?? settings().logger;
  }
}
