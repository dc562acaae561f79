import type { Channel } from 'amqplib';
import type { Delivery } from './delivery.js';

/** Settled deliveries kept behind a long-running oldest one before they are swept out. */
const SWEEP_AT = 64;

/**
 * The acks of one consuming channel, sent once per turn of the event loop instead of one
 * frame per job. Jobs that completed in a turn are acked with one `multiple` ack when they
 * and every delivery before them on the channel are settled (the usual case: a burst of
 * deliveries finishing together); the others are acked one by one in the same turn. Each
 * ack frame is a socket write and a broker operation: batching them took the worker's
 * write cost from one system call per job to one per burst (docs/performance.md, "Acks").
 *
 * Nothing is acked before its perform settled: a queued ack only waits for the end of the
 * current turn, and `flush()` sends what is queued at once (before the channel closes).
 *
 * Arrays and a flag on the delivery rather than Sets: a Set cleared or rehashed per ack left
 * a chain of tables from the old generation that kept every later one alive until a full GC
 * (docs/performance.md).
 */
export class ChannelAcks {
  /**
   * Deliveries of this channel in delivery-tag order, from index `head` on: every one not
   * yet acked or nacked, and settled ones behind an older one still running (swept out).
   */
  private outstanding: Delivery[] = [];
  private head = 0;
  private sweepAt = SWEEP_AT;
  /** Settled deliveries whose ack waits for the end of the turn (each has `ackQueued` set). */
  private queued: Delivery[] = [];
  private scheduled = false;

  constructor(
    private readonly channel: Channel,
    /** Whether acks can still reach the channel; when not, queued acks are reported stale. */
    private readonly isOpen: () => boolean,
    private readonly onStale: (delivery: Delivery) => void,
  ) {}

  /** Every delivery of the channel, in the order the broker sent them. */
  track(delivery: Delivery): void {
    this.outstanding.push(delivery);
  }

  /** How many deliveries it still references (bounded: settled ones are swept out). */
  get heldCount(): number {
    return this.outstanding.length + this.queued.length;
  }

  /** Acks `delivery` (already marked settled) at the end of this turn of the event loop. */
  ack(delivery: Delivery): void {
    delivery.ackQueued = true;
    this.queued.push(delivery);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends every queued ack now. */
  flush(): void {
    this.scheduled = false;
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    if (!this.isOpen()) {
      for (const delivery of queued) this.reportStale(delivery);
      this.outstanding = [];
      this.head = 0;
      return;
    }
    // The queued deliveries before the oldest one still running: every tag up to the last of
    // them is acked, nacked (settled without a queued ack) or queued here, so one ack with
    // `multiple` covers them all.
    const outstanding = this.outstanding;
    const from = this.head;
    let end = from;
    let last: Delivery | undefined;
    for (; end < outstanding.length; end++) {
      const delivery = outstanding[end]!;
      if (delivery.ackQueued) last = delivery;
      else if (!delivery.settled) break;
    }
    this.head = end;
    try {
      if (last) this.channel.ack(last.message, true);
    } catch {
      // The channel is closing underneath: the broker requeues what was not acked.
      for (const delivery of queued) this.reportStale(delivery);
      return;
    }
    for (let i = from; i < end; i++) outstanding[i]!.ackQueued = false;
    let next = 0;
    try {
      for (; next < queued.length; next++) {
        const delivery = queued[next]!;
        if (!delivery.ackQueued) continue; // covered by the multiple ack
        delivery.ackQueued = false;
        this.channel.ack(delivery.message);
      }
    } catch {
      for (; next < queued.length; next++) if (queued[next]!.ackQueued) this.reportStale(queued[next]!);
    }
    this.sweep();
  }

  private reportStale(delivery: Delivery): void {
    delivery.ackQueued = false;
    this.onStale(delivery);
  }

  /** Drops what lies before `head`, and settled deliveries piled up behind a long-running one. */
  private sweep(): void {
    const outstanding = this.outstanding;
    const pending = outstanding.length - this.head;
    if (pending === 0) {
      outstanding.length = 0;
      this.head = 0;
      return;
    }
    // Amortized: each sweep copies at most as many deliveries as were dropped since the last.
    if (this.head < Math.max(SWEEP_AT, pending) && pending < this.sweepAt) return;
    let kept = 0;
    for (let i = this.head; i < outstanding.length; i++) {
      const delivery = outstanding[i]!;
      if (!delivery.settled || delivery.ackQueued) outstanding[kept++] = delivery;
    }
    outstanding.length = kept;
    this.head = 0;
    this.sweepAt = Math.max(SWEEP_AT, 2 * kept);
  }
}
