import { randomUUID } from 'node:crypto';
import amqplib, { type Channel, type ChannelModel } from 'amqplib';
import { inject } from 'vitest';
import { onFreshChannel } from './broker-probe.js';

/**
 * A connection to the test broker plus unique names for one test; `cleanup()` deletes every
 * queue and exchange named through it and closes the connection.
 */
export interface BrokerFixture {
  url: string;
  connection: ChannelModel;
  prefix: string;
  /** A unique queue name, deleted by cleanup. */
  queue(name: string): string;
  /** A unique exchange name, deleted by cleanup. */
  exchange(name: string): string;
  /** Runs `fn` on a fresh channel that is closed after (or already closed by the broker). */
  onChannel<T>(fn: (channel: Channel) => Promise<T>): Promise<T>;
  /** Channels currently open on the connection (amqplib internals; test-only). */
  openChannelCount(): number;
  cleanup(): Promise<void>;
}

export async function brokerFixture(): Promise<BrokerFixture> {
  const url = inject('amqpUrl');
  const connection = await amqplib.connect(url);
  connection.on('error', () => {});
  const prefix = `t-${randomUUID().slice(0, 8)}-`;
  const queues = new Set<string>();
  const exchanges = new Set<string>();

  const onChannel = <T>(fn: (channel: Channel) => Promise<T>): Promise<T> => onFreshChannel(connection, fn);

  return {
    url,
    connection,
    prefix,
    queue: (name) => {
      const full = `${prefix}${name}`;
      queues.add(full);
      return full;
    },
    exchange: (name) => {
      const full = `${prefix}${name}`;
      exchanges.add(full);
      return full;
    },
    onChannel,
    openChannelCount: () => {
      // Slot 0 is the connection's own channel; closed channels leave null slots.
      const slots = (connection.connection as unknown as { channels: unknown[] }).channels;
      return slots.filter(Boolean).length - 1;
    },
    cleanup: async () => {
      for (const name of queues) await onChannel((channel) => channel.deleteQueue(name)).catch(() => {});
      for (const name of exchanges) await onChannel((channel) => channel.deleteExchange(name)).catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
