import { createHash } from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import type { AmqpConnection } from './connection.js';
import { SideChannel } from './side-channel.js';

/** A permit asked for: whether the broker granted it, when (performance.now()) it was sent, and the latest moment its job may start. */
export interface RatePermit {
  readonly granted: boolean;
  readonly sentAt: number;
  /** sentAt plus the start tolerance, less START_SLACK_MS: a job granted the permit starts by then or not at all. */
  readonly startBy: number;
}

/** Of a permit's start tolerance, kept for the steps between the worker's gate and perform, and for clocks that count whole ms. */
const START_SLACK_MS = 5;

/**
 * Rate-limit permits on the broker: a sliding window per key. The key's queue holds one message
 * per start in the last `per` ms and refuses more than `limit` (`x-max-length: limit`,
 * `x-overflow: reject-publish`): publishing a permit with publisher confirms is the test-and-take,
 * race-free across every process since the queue orders the publishes. A permit lives `per` plus
 * the start tolerance (rateStartToleranceMs): a worker starts a granted job only while less than
 * that tolerance has passed since it sent the permit (src/worker/flow-gate.ts), so a start is never
 * later than its permit's life allows, and the starts, not only the grants, keep to `limit` per
 * `per`. Permits of windows of DEFAULTS.flow.ratePersistFromMs or more are persistent
 * messages (the queue is durable): a broker restart keeps such a window (an hourly quota is not
 * handed out again because the broker restarted). Shorter windows are over before a restarted
 * broker is back, and a persistent permit's confirm waits for the disk, so more grants would be
 * seen too late to start (bench/README.md, "Rate limits"): theirs are transient.
 */
export class RatePermits {
  private readonly channel: SideChannel;

  constructor(connection: AmqpConnection, timeoutMs: number = DEFAULTS.amqp.publishTimeoutMs) {
    this.channel = new SideChannel(connection, { waitMs: timeoutMs });
  }

  /** The queue of a key's permits; the limit, window and start tolerance are in the name, so changing them starts a new window. */
  static queueName(jobName: string, key: string, limit: number, per: number): string {
    const digest = createHash('sha256').update(jobName).update('\0').update(key).digest('hex').slice(0, 32);
    const name = jobName.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100);
    return `${DEFAULTS.flow.rateQueuePrefix}.${name}.${digest}.${limit}-${per}-s${RatePermits.startToleranceMs(per)}`;
  }

  /** How late after sending its permit a job may still start: a share of the window, within bounds (DEFAULTS.flow). */
  static startToleranceMs(per: number): number {
    const { rateStartTolerance: share, rateStartToleranceMinMs: least, rateStartToleranceMaxMs: most } = DEFAULTS.flow;
    return Math.round(Math.min(most, Math.max(least, per * share)));
  }

  /**
   * Takes a permit: true when granted. (When one is refused the oldest permit's age is not read:
   * taking the head off the queue, even to put it back, frees a place in it for a moment, and a
   * concurrent start would get in above the limit.)
   */
  async take(queue: string, limit: number, per: number): Promise<RatePermit> {
    return this.channel.bounded(`taking a rate permit of ${queue}`, async (channel) => {
      const life = per + RatePermits.startToleranceMs(per); // see startBy
      await this.channel.assertQueue(channel, queue, {
        durable: true,
        arguments: {
          'x-max-length': limit,
          'x-overflow': 'reject-publish',
          'x-message-ttl': life,
          'x-expires': life * 2 + 60_000,
          'x-queue-type': 'classic',
        },
      });
      // Taken just before the publish: the broker's window for this permit opens after it.
      const sentAt = performance.now();
      // A nack is a full window. A closed channel or no answer is an error (the worker hands the delivery back).
      const granted = await SideChannel.publishConfirmed(channel, queue, Buffer.alloc(0), { persistent: per >= DEFAULTS.flow.ratePersistFromMs });
      return { granted, sentAt, startBy: sentAt + RatePermits.startToleranceMs(per) - START_SLACK_MS };
    });
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
