import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnection } from './connection.js';

/**
 * A plain amqplib confirm channel on a connection's current link, opened on first use and again
 * after it closes: for the small side tasks (crash checkpoints, unique locks) whose declarations
 * must really run. (amqp-connection-manager's wrapper skips a declaration while it reconnects.)
 * `onClose` hears of each close, so a user can forget the queues it declared on it.
 */
export class SideChannel {
  private channel: Promise<ConfirmChannel> | undefined;

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
