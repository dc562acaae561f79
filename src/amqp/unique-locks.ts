import type { ConfirmChannel } from 'amqplib';
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
/** How many times an empty debounce record is read again (10-50 ms apart) before it counts as empty. */
const DEBOUNCE_EMPTY_READS = 8;

export class AmqpUniqueLocks {
  private readonly channel: SideChannel;

  /** `timeoutMs`: how long a lock's publish may wait for the broker (the adapter's publishTimeoutMs). */
  constructor(
    private readonly connection: AmqpConnection,
    private readonly timeoutMs: number = DEFAULTS.amqp.publishTimeoutMs,
  ) {
    this.channel = new SideChannel(connection, { waitMs: timeoutMs });
  }

  async acquire(lock: string, holder: string, ttlMs: number): Promise<boolean> {
    try {
      return await this.channel.bounded(`taking the unique lock ${lock}`, async (channel) => {
        await this.declare(channel, lock, { 'x-max-length': 1, 'x-overflow': 'reject-publish' });
        // A nack is the broker refusing the second message: the lock is held. A closed channel or no answer is an error, not a refusal.
        return SideChannel.publishConfirmed(channel, lock, Buffer.from(holder), { persistent: true, expiration: String(ttlMs), messageId: holder });
      });
    } catch (error) {
      this.releaseLater(lock, holder);
      throw error;
    }
  }

  /** Debounce: `holder` replaces whatever the record queue held (x-max-length 1 drops the older head). */
  async markLatest(record: string, holder: string, ttlMs: number): Promise<void> {
    await this.channel.bounded(`recording the latest job in ${record}`, async (channel) => {
      await this.declare(channel, record, { 'x-max-length': 1 });
      if (!(await SideChannel.publishConfirmed(channel, record, Buffer.from(holder), { persistent: true, expiration: String(ttlMs), messageId: holder }))) {
        throw new Error('the broker refused the debounce record');
      }
    });
  }

  private declare(channel: ConfirmChannel, queue: string, shape: Record<string, unknown>): Promise<void> {
    return this.channel.assertQueue(channel, queue, {
      durable: true,
      arguments: { ...shape, 'x-expires': DEFAULTS.flow.uniqueMaxTtlMs, 'x-queue-type': 'classic' },
    });
  }

  /**
   * Debounce: true when `holder` is the recorded latest job or nothing is recorded; false when
   * another job is. Reading the record takes its one message off for a moment (AMQP has no peek)
   * and puts it back; another worker checking the same key at that moment finds the queue empty,
   * so an empty read is tried again a few times before it counts as "nothing recorded" (which
   * runs the job: a duplicate at worst, never a lost one). Bounded by the publish timeout: a
   * broker that does not answer (a resource alarm blocks the connection) lets the job run.
   */
  async isLatest(record: string, holder: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), this.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([this.readLatest(record, holder), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readLatest(record: string, holder: string): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      const model = this.connection.current;
      if (!model) return true;
      const seen = await onOwnChannel(model, async (channel) => {
        let message: Awaited<ReturnType<typeof channel.get>>;
        try {
          message = await channel.get(record, { noAck: false });
        } catch {
          return 'none' as const; // no record queue: nothing was enqueued with debounce for this key lately
        }
        if (message === false) return 'empty' as const;
        channel.nack(message, false, true);
        return message.content.toString();
      });
      if (seen === 'none') return true;
      if (seen !== 'empty') return seen === holder;
      if (attempt >= DEBOUNCE_EMPTY_READS) return true;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }

  /**
   * A lock publish that got no answer may still land (a broker blocked under an alarm lets it
   * through once the alarm clears) and hold the key for a job that was never enqueued: it is
   * taken off a few times over the next minute, only if it is that holder's.
   */
  private releaseLater(lock: string, holder: string): void {
    for (const ms of DEFAULTS.flow.uniqueOrphanReleaseMs) setTimeout(() => void this.release(lock, holder), ms).unref();
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
