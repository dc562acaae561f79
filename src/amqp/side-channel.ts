import type { ConfirmChannel, Options } from 'amqplib';
import type { AmqpConnection } from './connection.js';

/** How many declared queues a side channel remembers. */
const DECLARED_KEPT = 10_000;

/**
 * A plain amqplib confirm channel on a connection's current link, opened on first use and again
 * after it closes: for the small side tasks (crash checkpoints, unique locks) whose declarations
 * must really run. (amqp-connection-manager's wrapper skips a declaration while it reconnects.)
 * `onClose` hears of each close.
 */
export class SideChannel {
  private channel: Promise<ConfirmChannel> | undefined;
  /** Queues declared on the current channel, and when (performance.now()); forgotten when it closes. */
  private readonly declaredAt = new Map<string, number>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: { waitMs: number; onClose?: () => void; onError?: (error: unknown) => void },
  ) {}

  /** The channel, waiting up to `waitMs` for the connection while it reconnects. */
  get(): Promise<ConfirmChannel> {
    if (!this.channel) {
      const opening = this.connected().then(async (model) => {
        const channel = await model.createConfirmChannel();
        channel.on('error', (error: unknown) => this.options.onError?.(error));
        channel.on('close', () => {
          if (this.channel === opening) this.channel = undefined;
          // A channel closed by the broker comes back on a link that may not have the queues.
          this.declaredAt.clear();
          this.options.onClose?.();
        });
        return channel;
      });
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
      this.channel = opening;
    }
    return this.channel;
  }

  /**
   * Runs `work` on the channel with all of it (waiting for the connection and opening the channel
   * included) bounded by `waitMs`: rejects after that. A broker that blocks a publishing connection
   * under a resource alarm stops reading from it, so a declaration, a get or a confirm on it would
   * otherwise wait for as long as the alarm lasts.
   */
  bounded<T>(what: string, work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const waitMs = this.options.waitMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: the broker did not answer within ${waitMs} ms`)), waitMs);
      timer.unref();
    });
    return Promise.race([this.get().then(work), timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Declares `queue` on `channel` unless this side channel did so lately: once, or, for a queue
   * with `x-expires`, again after half of it. Publishing into a queue does not count as using it
   * (only a declaration, a get or a consumer does), so a queue that only ever receives publishes
   * (a rate window's permits, a unique lock) would be deleted by the broker mid-use, and every
   * later publish confirmed and dropped: a limit silently gone. Declaring again resets that clock.
   */
  async assertQueue(channel: ConfirmChannel, queue: string, options: Options.AssertQueue): Promise<void> {
    const at = this.declaredAt.get(queue);
    const expiresMs = Number(options.arguments?.['x-expires']);
    if (at !== undefined && !(expiresMs > 0 && performance.now() - at >= expiresMs / 2)) return;
    await channel.assertQueue(queue, options);
    // Many keys: start over rather than grow (a forgotten queue is only declared once more).
    if (this.declaredAt.size >= DECLARED_KEPT) this.declaredAt.clear();
    this.declaredAt.set(queue, performance.now());
  }

  /** Forgets that `queue` was declared (it is being deleted). */
  forget(queue: string): void {
    this.declaredAt.delete(queue);
  }

  /**
   * Publishes `content` into `queue` (the default exchange) on `channel` and waits for the
   * broker's answer: true when it confirmed, false when it refused the message (a nack: a full
   * queue with `reject-publish`). Rejects when the channel closed first: then the caller cannot
   * tell whether the message is there, which is not the same as a refusal.
   */
  static publishConfirmed(channel: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      channel.publish('', queue, content, options, (error: unknown) => {
        if (!error) resolve(true);
        else if (error instanceof Error && error.message === 'message nacked') resolve(false);
        else reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.then((open) => open.close()).catch(() => {});
  }

  private async connected(): Promise<NonNullable<AmqpConnection['current']>> {
    const deadline = performance.now() + this.options.waitMs;
    for (;;) {
      const model = this.connection.current;
      if (model) return model;
      if (performance.now() > deadline) throw new Error('not connected to the broker');
      await new Promise((resolve) => setTimeout(resolve, 50).unref());
    }
  }
}
