import { createHash } from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import type { AmqpConnection } from './connection.js';
import { SideChannel } from './side-channel.js';

/**
 * Rate-limit permits on the broker: a sliding window per key. The key's queue holds one message
 * per start in the last `per` ms (`x-message-ttl: per`) and refuses more than `limit`
 * (`x-max-length: limit`, `x-overflow: reject-publish`): publishing a permit with publisher
 * confirms is the test-and-take, race-free across every process since the queue orders the
 * publishes. Permits of windows of DEFAULTS.flow.ratePersistFromMs or more are persistent
 * messages (the queue is durable): a broker restart keeps such a window (an hourly quota is not
 * handed out again because the broker restarted). Shorter windows are over before a restarted
 * broker is back, and a persistent permit's confirm waits for the disk, which bunches the starts
 * a worker sees (bench/README.md, "Rate limits"): theirs are transient.
 */
export class RatePermits {
  private readonly channel: SideChannel;
  private readonly declared = new Set<string>();

  constructor(connection: AmqpConnection, timeoutMs: number = DEFAULTS.amqp.publishTimeoutMs) {
    this.channel = new SideChannel(connection, { waitMs: timeoutMs, onClose: () => this.declared.clear() });
  }

  /** The queue of a key's permits; the limit and window are in the name, so changing them starts a new window. */
  static queueName(jobName: string, key: string, limit: number, per: number): string {
    const digest = createHash('sha256').update(jobName).update('\0').update(key).digest('hex').slice(0, 32);
    return `${DEFAULTS.flow.rateQueuePrefix}.${jobName.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100)}.${digest}.${limit}-${per}`;
  }

  /**
   * Takes a permit: true when granted. (When one is refused the oldest permit's age is not read:
   * taking the head off the queue, even to put it back, frees a place in it for a moment, and a
   * concurrent start would get in above the limit.)
   */
  async take(queue: string, limit: number, per: number): Promise<boolean> {
    return this.channel.bounded(`taking a rate permit of ${queue}`, async (channel) => {
      if (!this.declared.has(queue)) {
        await channel.assertQueue(queue, {
          durable: true,
          arguments: { 'x-max-length': limit, 'x-overflow': 'reject-publish', 'x-message-ttl': per, 'x-expires': per * 2 + 60_000, 'x-queue-type': 'classic' },
        });
        this.declared.add(queue);
      }
      // A nack is a full window. A closed channel or no answer is an error (the worker hands the delivery back).
      return SideChannel.publishConfirmed(channel, queue, Buffer.alloc(0), { persistent: per >= DEFAULTS.flow.ratePersistFromMs });
    });
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
