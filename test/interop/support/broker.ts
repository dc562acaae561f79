// A plain amqplib connection for looking at the broker from interop tests: raw publishes,
// basic.get and cleanup. Every operation runs on its own channel, so a 404 closes only that one.
import { randomUUID } from 'node:crypto';
import amqplib, { type Channel, type ChannelModel, type GetMessage, type Options } from 'amqplib';

/** A prefix no other test run uses: `t-1a2b3c4d-`. */
export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}-`;
}

export class Broker {
  private constructor(private readonly connection: ChannelModel) {}

  static async open(url: string): Promise<Broker> {
    const connection = await amqplib.connect(url, { clientProperties: { connection_name: 'warren interop probe' } });
    connection.on('error', () => {});
    return new Broker(connection);
  }

  private async withChannel<T>(fn: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.connection.createChannel();
    let closed = false;
    channel.on('error', () => {});
    channel.on('close', () => (closed = true));
    try {
      return await fn(channel);
    } finally {
      if (!closed) await channel.close().catch(() => {});
    }
  }

  /** basic.get with auto-ack: takes one message off the queue, or false. */
  get(queue: string): Promise<GetMessage | false> {
    return this.withChannel((channel) => channel.get(queue, { noAck: true }));
  }

  /** Waits until the queue holds a message and takes it. */
  async take(queue: string, timeoutMs = 20_000): Promise<GetMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.get(queue).catch(() => false as const);
      if (message) return message;
      if (Date.now() > deadline) throw new Error(`no message arrived in queue ${queue} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Publishes to an exchange with publisher confirms. */
  async publish(exchange: string, routingKey: string, body: Buffer, properties: Options.Publish = {}): Promise<void> {
    const channel = await this.connection.createConfirmChannel();
    channel.on('error', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        channel.publish(exchange, routingKey, body, { persistent: true, ...properties }, (error) => (error ? reject(error) : resolve()));
      });
    } finally {
      await channel.close().catch(() => {});
    }
  }

  async deleteQueues(queues: readonly string[]): Promise<void> {
    for (const queue of queues) await this.withChannel((channel) => channel.deleteQueue(queue)).catch(() => {});
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => {});
  }
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs` (generous: the machine may be busy). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
