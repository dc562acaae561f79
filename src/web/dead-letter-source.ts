import { DeadLetterQueue, type DeadLetterFilter, type DeadLetterQueueOptions, type RetryReport } from '../adapters/amqp/dead-letter-queue.js';
import type { DeadLetter } from '../amqp/dead-letters/dead-letter-message.js';
import { DEFAULTS } from '../config/defaults.js';
import { AdapterError } from '../errors.js';
import type { DeadLetterSource } from './sources.js';

/**
 * The dead-letter queue for the dashboard: a DeadLetterQueue (one plain amqplib connection)
 * opened again when its connection was lost (a broker restart), so the next page works.
 * An AdapterError (no such dead letter, no such queue) is an answer, not a lost connection.
 */
export class DashboardDeadLetters implements DeadLetterSource {
  readonly queue: string;
  private current: Promise<DeadLetterQueue> | undefined;

  private constructor(private readonly options: DeadLetterQueueOptions) {
    this.queue = options.queue ?? DEFAULTS.amqp.deadLetterQueue;
  }

  static async open(options: DeadLetterQueueOptions): Promise<DashboardDeadLetters> {
    const source = new DashboardDeadLetters(options);
    await source.connection();
    return source;
  }

  count(): Promise<number> {
    return this.run((queue) => queue.count(), true);
  }

  list(filter: DeadLetterFilter & { limit?: number } = {}): Promise<DeadLetter[]> {
    return this.run((queue) => queue.list(filter), true).catch((error: unknown) => {
      // Nothing was ever dead-lettered: the queue does not exist yet.
      if (error instanceof AdapterError) return [];
      throw error;
    });
  }

  retry(jobId: string): Promise<RetryReport> {
    return this.run((queue) => queue.retry(jobId));
  }

  retryAll(filter: DeadLetterFilter = {}): Promise<RetryReport> {
    return this.run((queue) => queue.retryAll(filter));
  }

  discard(jobId: string): Promise<boolean> {
    return this.run((queue) => queue.discard(jobId));
  }

  purge(filter: DeadLetterFilter = {}): Promise<number> {
    return this.run((queue) => queue.purge(filter));
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await (await current?.catch(() => undefined))?.close();
  }

  private connection(): Promise<DeadLetterQueue> {
    if (!this.current) {
      const opening = DeadLetterQueue.open(this.options);
      this.current = opening;
      opening.catch(() => {
        if (this.current === opening) this.current = undefined;
      });
    }
    return this.current;
  }

  /**
   * Runs `work`; on a failure other than an AdapterError the connection is dropped, so the next
   * call opens a new one, and a read (count, list) is run once more at once. A change is not
   * repeated: the operator sees the error and decides.
   */
  private async run<T>(work: (queue: DeadLetterQueue) => Promise<T>, repeat = false): Promise<T> {
    const queue = await this.connection();
    try {
      return await work(queue);
    } catch (error) {
      if (error instanceof AdapterError) throw error;
      if (this.current) {
        this.current = undefined;
        await queue.close().catch(() => {});
      }
      if (!repeat) throw error;
      return work(await this.connection());
    }
  }
}
