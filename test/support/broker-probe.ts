// A plain amqplib connection for looking at the broker from a test: message counts,
// raw publishes, basic.get, and cleanup. Every operation runs on its own channel, so a
// 404 closes only that channel.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqplib, { type Channel, type ChannelModel, type GetMessage, type Options } from 'amqplib';
import { onOwnChannel } from '../../src/amqp/own-channel.js';

/** Runs `fn` on a fresh channel of `connection`, closed after (unless the broker closed it first): warren's own helper. */
export const onFreshChannel = onOwnChannel;

/** A prefix no other test run uses: `t-1a2b3c4d-`. */
export function uniquePrefix(): string {
  return `t-${randomUUID().slice(0, 8)}-`;
}

export class BrokerProbe {
  private constructor(private readonly connection: ChannelModel) {}

  static async open(url: string): Promise<BrokerProbe> {
    const connection = await amqplib.connect(url, { clientProperties: { connection_name: 'warren test probe' } });
    connection.on('error', () => {});
    return new BrokerProbe(connection);
  }

  private withChannel<T>(fn: (channel: Channel) => Promise<T>): Promise<T> {
    return onFreshChannel(this.connection, fn);
  }

  /** Ready messages in the queue (unacked deliveries are not counted). */
  messageCount(queue: string): Promise<number> {
    return this.withChannel(async (channel) => (await channel.checkQueue(queue)).messageCount);
  }

  /** Ready messages, or 0 when the queue does not exist. */
  async messageCountIfAny(queue: string): Promise<number> {
    return (await this.queueExists(queue)) ? this.messageCount(queue) : 0;
  }

  async queueExists(queue: string): Promise<boolean> {
    try {
      await this.withChannel((channel) => channel.checkQueue(queue));
      return true;
    } catch {
      return false;
    }
  }

  /** basic.get with auto-ack: takes one message off the queue. */
  get(queue: string): Promise<GetMessage | false> {
    return this.withChannel((channel) => channel.get(queue, { noAck: true }));
  }

  /** Waits until the queue holds a message and takes it (basic.get with auto-ack). */
  async take(queue: string, timeoutMs = 20_000): Promise<GetMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.get(queue).catch(() => false as const);
      if (message) return message;
      if (Date.now() > deadline) throw new Error(`no message arrived in queue ${queue} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Publishes straight to a queue (default exchange) and waits for the confirm. */
  publish(queue: string, body: Buffer, properties: Options.Publish = {}): Promise<void> {
    return this.publishTo('', queue, body, properties);
  }

  /** Publishes to an exchange with a routing key and waits for the confirm. */
  async publishTo(exchange: string, routingKey: string, body: Buffer, properties: Options.Publish = {}): Promise<void> {
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

  assertQueue(queue: string, options: Options.AssertQueue = { durable: true }): Promise<void> {
    return this.withChannel(async (channel) => void (await channel.assertQueue(queue, options)));
  }

  assertExchange(exchange: string, type = 'direct'): Promise<void> {
    return this.withChannel(async (channel) => void (await channel.assertExchange(exchange, type, { durable: true })));
  }

  async deleteQueues(queues: readonly string[]): Promise<void> {
    for (const queue of queues) await this.withChannel((channel) => channel.deleteQueue(queue)).catch(() => {});
  }

  /**
   * Deletes every queue whose name contains `fragment` (generated delay queues carry the
   * test's queue names). Uses rabbitmqctl; where it is not available (a broker in a
   * container), x-expires removes them later.
   */
  async deleteQueuesContaining(fragment: string): Promise<void> {
    let listing: string;
    try {
      ({ stdout: listing } = await promisify(execFile)('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name']));
    } catch {
      return;
    }
    await this.deleteQueues(
      listing
        .split('\n')
        .map((line) => line.trim())
        .filter((name) => name.includes(fragment)),
    );
  }

  async deleteExchanges(exchanges: readonly string[]): Promise<void> {
    for (const exchange of exchanges) await this.withChannel((channel) => channel.deleteExchange(exchange)).catch(() => {});
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => {});
  }
}
