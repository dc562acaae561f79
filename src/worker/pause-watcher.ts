import type { Logger } from 'pino';
import type { AmqpConnection } from '../amqp/connection.js';
import { pausedAmong } from '../amqp/queue-pauses.js';
import { DEFAULTS } from '../config/defaults.js';
import { redactError } from '../support/redact.js';
import type { Consumer } from './consumer.js';

/**
 * Keeps a worker's consumer in step with the paused queues on the broker (queue-pauses.ts): the
 * consumer reads them before each subscription (`read`), a pause or resume control message acts
 * at once (`apply`), and every DEFAULTS.flow.pauseRefreshMs the markers are read again, for a
 * message missed (a worker with presence off gets none). A reading taken while a message was
 * applied is dropped: it may predate the change.
 */
export class PauseWatcher {
  private readonly timer: NodeJS.Timeout;
  /** Bumped by every pause or resume applied: a refresh that saw an older one is stale. */
  private changes = 0;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly consumer: () => Consumer,
    private readonly queues: readonly string[],
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.refresh(), DEFAULTS.flow.pauseRefreshMs);
    this.timer.unref();
  }

  /** The paused queues among the worker's, from the broker; on failure, the ones paused now (logged). */
  async read(): Promise<ReadonlySet<string>> {
    const model = this.connection.current;
    try {
      if (!model) throw new Error('not connected');
      return await pausedAmong(model, this.queues);
    } catch (error) {
      this.logger.warn({ err: redactError(error) }, 'could not read which queues are paused; keeping the state as it was');
      return new Set(this.consumer().pausedQueues);
    }
  }

  /** A pause or resume message: applied at once when this worker consumes the queue. */
  apply(queue: string, paused: boolean): void {
    if (this.closed || !this.queues.includes(queue)) return;
    this.changes += 1;
    const consumer = this.consumer();
    (paused ? consumer.pause(queue) : consumer.resume(queue)).catch((error: unknown) =>
      this.logger.warn({ err: redactError(error), queue }, `could not ${paused ? 'pause' : 'resume'} the queue`),
    );
  }

  private async refresh(): Promise<void> {
    const consumer = this.consumer();
    if (this.closed || consumer.cancelledByWorker || !this.connection.isConnected()) return;
    const before = this.changes;
    const model = this.connection.current;
    if (!model) return;
    let paused: Set<string>;
    try {
      paused = await pausedAmong(model, this.queues);
    } catch {
      return; // the next refresh (or the next subscription) tries again
    }
    if (this.closed || before !== this.changes) return;
    for (const queue of this.queues) {
      const now = consumer.pausedQueues.has(queue);
      if (paused.has(queue) && !now) await consumer.pause(queue);
      if (!paused.has(queue) && now) await consumer.resume(queue);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }
}
