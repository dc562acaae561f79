import type { Channel } from 'amqplib';
import type { Delivery } from './consumer.js';

/**
 * The acks of one consuming channel, sent once per turn of the event loop instead of one
 * frame per job. Jobs that completed in a turn are acked with one `multiple` ack when they
 * and every delivery before them on the channel are settled (the usual case: a burst of
 * deliveries finishing together); the others are acked one by one in the same turn. Each
 * ack frame is a socket write and a broker operation: batching them took the worker's
 * write cost from one system call per job to one per burst (bench/README.md).
 *
 * Nothing is acked before its perform settled: a queued ack only waits for the end of the
 * current turn, and `flush()` sends what is queued at once (before the channel closes).
 */
export class ChannelAcks {
  /**
   * Deliveries of this channel not yet acked or nacked, in delivery-tag order (a Set keeps
   * insertion order). Bounded by the prefetch: settled deliveries leave it.
   */
  private readonly outstanding = new Set<Delivery>();
  /** Settled deliveries whose ack waits for the end of the turn. */
  private readonly queued = new Set<Delivery>();
  private scheduled = false;

  constructor(
    private readonly channel: Channel,
    /** Whether acks can still reach the channel; when not, queued acks are reported stale. */
    private readonly isOpen: () => boolean,
    private readonly onStale: (delivery: Delivery) => void,
  ) {}

  /** Every delivery of the channel, in the order the broker sent them. */
  track(delivery: Delivery): void {
    this.outstanding.add(delivery);
  }

  /** A delivery settled without an ack from here (a nack): it no longer holds back a multiple ack. */
  forget(delivery: Delivery): void {
    this.outstanding.delete(delivery);
  }

  /** Acks `delivery` (already marked settled) at the end of this turn of the event loop. */
  ack(delivery: Delivery): void {
    this.queued.add(delivery);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends every queued ack now. */
  flush(): void {
    this.scheduled = false;
    if (this.queued.size === 0) return;
    if (!this.isOpen()) {
      for (const delivery of this.queued) this.onStale(delivery);
      this.queued.clear();
      this.outstanding.clear();
      return;
    }
    // The queued deliveries before the oldest one still running: every tag up to the last of
    // them is acked, nacked or queued here, so one ack with `multiple` covers them all.
    const covered: Delivery[] = [];
    for (const delivery of this.outstanding) {
      if (!this.queued.has(delivery)) {
        if (!delivery.settled) break;
        this.outstanding.delete(delivery); // settled elsewhere
        continue;
      }
      this.queued.delete(delivery);
      this.outstanding.delete(delivery);
      covered.push(delivery);
    }
    const singles = [...this.queued];
    this.queued.clear();
    for (const delivery of singles) this.outstanding.delete(delivery);
    let multipleSent = covered.length === 0;
    let next = 0;
    try {
      if (!multipleSent) this.channel.ack(covered[covered.length - 1]!.message, true);
      multipleSent = true;
      for (; next < singles.length; next++) this.channel.ack(singles[next]!.message);
    } catch {
      // The channel is closing underneath: the broker requeues what was not acked.
      if (!multipleSent) for (const delivery of covered) this.onStale(delivery);
      for (const delivery of singles.slice(next)) this.onStale(delivery);
    }
  }
}
