import type { ChannelModel } from 'amqplib';
import type { AmqpConnection } from './connection.js';
import { onOwnChannel } from './own-channel.js';

/**
 * Leadership of a scheduler group, held on the broker with nothing else: the leader is the
 * connection that owns the exclusive queue `leaderQueue`. RabbitMQ lets one connection own an
 * exclusive queue (another connection's declaration fails with 405 RESOURCE_LOCKED) and deletes
 * it when that connection closes: a crash, kill -9, a forced close, a broker restart, a network cut
 * once heartbeats notice. The other workers try again every few seconds, and one of them takes
 * over. (The same primitive as the per-key concurrency slots, src/amqp/slot-locks.ts.)
 *
 * Held on the worker's consuming connection, so a leader that cannot receive jobs stops leading.
 */
export class SchedulerLeadership {
  /** The link the queue was declared on: leadership lasts while it is the connection's current link. */
  private heldOn: ChannelModel | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    readonly leaderQueue: string,
  ) {}

  /** True while this process believes it leads (the link it won on is still open); `confirm` asks the broker. */
  get held(): boolean {
    return this.heldOn !== undefined && this.heldOn === this.connection.current;
  }

  /** Tries to become the leader: true when this connection now owns the leader queue. */
  async tryAcquire(): Promise<boolean> {
    const model = this.connection.current;
    if (!model) return false;
    const won = await onOwnChannel(model, async (channel) => {
      try {
        await channel.assertQueue(this.leaderQueue, { exclusive: true, durable: false, autoDelete: false, arguments: { 'x-queue-type': 'classic' } });
        return true;
      } catch (error) {
        if ((error as { code?: number }).code === 405) return false; // another connection leads
        throw error;
      }
    });
    this.heldOn = won ? model : undefined;
    return won;
  }

  /**
   * Asks the broker whether this connection still owns the leader queue, right before the leader
   * enqueues: a round trip on the very link that won, so a leader whose connection the broker
   * closed (and whose queue another worker may own by now) finds out before it publishes.
   */
  async confirm(): Promise<boolean> {
    const model = this.heldOn;
    if (!model || model !== this.connection.current) {
      this.heldOn = undefined;
      return false;
    }
    const still = await onOwnChannel(model, async (channel) => {
      try {
        await channel.assertQueue(this.leaderQueue, { exclusive: true, durable: false, autoDelete: false, arguments: { 'x-queue-type': 'classic' } });
        return true;
      } catch {
        return false;
      }
    }).catch(() => false);
    if (!still) this.heldOn = undefined;
    return still;
  }

  /** Gives leadership up (deletes the queue, so another worker takes over at its next try). */
  async release(): Promise<void> {
    const model = this.heldOn;
    this.heldOn = undefined;
    if (!model || model !== this.connection.current) return;
    await onOwnChannel(model, (channel) => channel.deleteQueue(this.leaderQueue)).catch(() => {});
  }
}
