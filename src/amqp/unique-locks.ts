import { DEFAULTS } from '../config/defaults.js';
import type { AmqpConnection } from './connection.js';
import { onOwnChannel } from './own-channel.js';
import { SideChannel } from './side-channel.js';

/**
 * Unique-job locks on the broker. A lock is a durable queue that holds at most one message and
 * refuses a second (`x-max-length: 1`, `x-overflow: reject-publish`): publishing the holder's job
 * id with publisher confirms is the test-and-set, race-free across every process because the
 * queue orders the publishes. The message expires after the lock's ttl (its `expiration`), so a
 * lock whose job is lost frees itself; a lock queue unused for DEFAULTS.flow.uniqueMaxTtlMs is
 * deleted by the broker (x-expires). Releasing takes the message only when it is the holder's.
 * (It has the shape of the job layer's UniqueLocks; src/amqp does not import src/job.)
 */
export class AmqpUniqueLocks {
  private readonly channel: SideChannel;
  private readonly declared = new Set<string>();

  constructor(private readonly connection: AmqpConnection) {
    this.channel = new SideChannel(connection, { waitMs: DEFAULTS.amqp.publishTimeoutMs, onClose: () => this.declared.clear() });
  }

  async acquire(lock: string, holder: string, ttlMs: number): Promise<boolean> {
    const channel = await this.channel.get();
    if (!this.declared.has(lock)) {
      await channel.assertQueue(lock, {
        durable: true,
        arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish', 'x-expires': DEFAULTS.flow.uniqueMaxTtlMs, 'x-queue-type': 'classic' },
      });
      this.declared.add(lock);
    }
    return new Promise<boolean>((resolve) => {
      // A nack is the broker refusing the second message: the lock is held.
      channel.publish('', lock, Buffer.from(holder), { persistent: true, expiration: String(ttlMs), messageId: holder }, (error: unknown) => resolve(!error));
    });
  }

  /** Debounce: `holder` replaces whatever the record queue held (x-max-length 1 drops the older head). */
  async markLatest(record: string, holder: string, ttlMs: number): Promise<void> {
    const channel = await this.channel.get();
    if (!this.declared.has(record)) {
      await channel.assertQueue(record, {
        durable: true,
        arguments: { 'x-max-length': 1, 'x-expires': DEFAULTS.flow.uniqueMaxTtlMs, 'x-queue-type': 'classic' },
      });
      this.declared.add(record);
    }
    await new Promise<void>((resolve, reject) =>
      channel.publish('', record, Buffer.from(holder), { persistent: true, expiration: String(ttlMs), messageId: holder }, (error: unknown) =>
        error ? reject(new Error('the broker refused the debounce record')) : resolve(),
      ),
    );
  }

  /** Debounce: true when `holder` is the recorded latest job (the record is taken) or nothing is recorded; false when another job is. */
  async takeIfLatest(record: string, holder: string): Promise<boolean> {
    const model = this.connection.current;
    if (!model) return true;
    return onOwnChannel(model, async (channel) => {
      let message: Awaited<ReturnType<typeof channel.get>>;
      try {
        message = await channel.get(record, { noAck: false });
      } catch {
        return true; // no record queue: nothing newer was enqueued
      }
      if (message === false) return true;
      if (message.content.toString() === holder) {
        channel.ack(message);
        return true;
      }
      channel.nack(message, false, true);
      return false;
    });
  }

  async release(lock: string, holder: string): Promise<void> {
    const model = this.connection.current;
    if (!model) return; // it expires
    await onOwnChannel(model, async (channel) => {
      const message = await channel.get(lock, { noAck: false });
      if (message === false) return;
      if (message.content.toString() === holder) channel.ack(message);
      else channel.nack(message, false, true);
    }).catch(() => {});
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
