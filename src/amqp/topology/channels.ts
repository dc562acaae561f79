import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Channel } from 'amqplib';

/**
 * What the topology needs of a connection: short-lived channels. An amqplib ChannelModel
 * (`amqplib.connect(...)`, or amqp-connection-manager's `manager.connection`) fits.
 */
export interface ProbeConnection {
  createChannel(): Promise<Channel>;
}

type ChannelConstructor = new (connection: unknown) => Channel & { open(): Promise<unknown> };

let channelClass: ChannelConstructor | null | undefined;

function amqplibChannelClass(): ChannelConstructor | undefined {
  if (channelClass === undefined) {
    try {
      const require = createRequire(import.meta.url);
      // amqplib 2 declares `exports`, which hides lib/ from bare specifiers: load it by path.
      const model = require(join(dirname(require.resolve('amqplib')), 'lib', 'channel_model.js')) as { Channel?: ChannelConstructor };
      channelClass = model.Channel ?? null;
    } catch {
      channelClass = null;
    }
  }
  return channelClass ?? undefined;
}

/**
 * The connection an amqplib channel belongs to, able to open more channels. amqp-connection-manager
 * hands setup functions only the channel; this opens siblings the way amqplib's own
 * `ChannelModel.createChannel` does (amqplib internals, 0.10 to 2.x, feature-checked: undefined when
 * they are not there, and callers then fall back to the channel itself).
 */
export function connectionOfChannel(channel: Channel): ProbeConnection | undefined {
  const internal: unknown = (channel as { connection?: unknown }).connection;
  const Sibling = amqplibChannelClass();
  if (!Sibling || typeof (internal as { freshChannel?: unknown } | undefined)?.freshChannel !== 'function') return undefined;
  return {
    async createChannel() {
      const sibling = new Sibling(internal);
      await sibling.open();
      return sibling;
    },
  };
}

/**
 * Short-lived channels for checks that may fail: a failed declare closes its channel, so each
 * check runs on a channel of its own that the next check replaces when the broker closed it.
 * `close()` closes the one still open, leaving the connection as it was.
 */
export class ThrowawayChannels {
  private current: Channel | undefined;

  constructor(private readonly connection: ProbeConnection) {}

  async run<T>(operation: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = this.current ?? (await this.open());
    return operation(channel);
  }

  async close(): Promise<void> {
    const channel = this.current;
    this.current = undefined;
    if (channel) await channel.close().catch(() => {});
  }

  private async open(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    // The failing operation's promise carries the error; the event must not crash the process.
    channel.on('error', () => {});
    channel.once('close', () => {
      if (this.current === channel) this.current = undefined;
    });
    this.current = channel;
    return channel;
  }
}
