import type { TypedEmitter } from '../support/typed-emitter.js';
import { checkBeforeHold } from './decode.js';
import { ACK, type Delivery, type DeliveryVerdict, type VerdictSink } from './delivery.js';
import { RUN_NOW, untilDue, type DueVerdict } from './due-time.js';
import type { WorkerEvents } from './events.js';
import { performDelivery, type DeliveryContext } from './perform-delivery.js';
import type { DeliverySettlement } from './settlement.js';

export interface DeliveryProcessorOptions {
  context: DeliveryContext;
  settlement: DeliverySettlement;
  /** How long a delayed job that arrived early is held, unacked, until due. */
  maxHoldMs: number;
  /** Aborted when the worker stops: ends a hold (the delivery goes back to its queue). */
  stopping: AbortSignal;
  events: TypedEmitter<WorkerEvents>;
  /** Called once per delivery, when it is settled or left to the closing channel. */
  done: () => void;
  /** Counts acks and dead letters per queue, for heartbeats (absent with presence off). */
  counter?: VerdictCounter | undefined;
}

export interface VerdictCounter {
  acked(queue: string): void;
  deadLettered(queue: string, jobId: string | undefined): void;
}

/**
 * One delivery from its arrival to its settlement, read top to bottom:
 *
 *   receive -> stale? (skipped) -> early? (held until due, or delayed again)
 *           -> performDelivery: decode -> perform -> verdict
 *           -> verdict(): ack, or settle (dead-letter, requeue, abandon) -> done
 *
 * Never throws: whatever happens to a delivery is logged and settled here; a failure of
 * warren's own handling goes to error(), which dead-letters the delivery. The processor
 * is the VerdictSink of every delivery, so a delivery needs no closures of its own.
 */
export class DeliveryProcessor implements VerdictSink {
  constructor(private readonly options: DeliveryProcessorOptions) {}

  receive(delivery: Delivery): void {
    const { settlement, context } = this.options;
    try {
      if (settlement.skipStale(delivery)) {
        this.options.done();
        return;
      }
      const refused = checkBeforeHold(delivery, context);
      if (refused) {
        this.verdict(delivery, refused);
        return;
      }
      const due = untilDue(delivery, this.options);
      // Nearly every delivery is due: performed at once, without a promise of its own.
      if (due === RUN_NOW) performDelivery(delivery, context, this);
      else void this.receiveWhenDue(delivery, due);
    } catch (error) {
      this.error(delivery, error);
    }
  }

  /** A delivery that came early: held (or delayed again) first. */
  private async receiveWhenDue(delivery: Delivery, due: DueVerdict | Promise<DueVerdict>): Promise<void> {
    const { settlement } = this.options;
    try {
      if ((await settlement.afterHold(delivery, await due)) && !settlement.skipStale(delivery)) performDelivery(delivery, this.options.context, this);
      else this.options.done();
    } catch (error) {
      this.error(delivery, error);
    }
  }

  /** The delivery's verdict: an ack at once (the common case), anything else through the settlement. */
  verdict(delivery: Delivery, verdict: DeliveryVerdict): void {
    const { settlement, done, counter } = this.options;
    if (verdict === ACK) {
      counter?.acked(delivery.queue);
      try {
        settlement.ack(delivery);
      } catch (error) {
        this.error(delivery, error); // a throwing logger on a stale ack: settled already
        return;
      }
      done();
      return;
    }
    if (verdict.action === 'dead-letter') counter?.deadLettered(delivery.queue, verdict.envelope?.job_id);
    settlement.settle(delivery, verdict).then(done, (error: unknown) => this.error(delivery, error));
  }

  /** warren's own handling failed: the delivery, if still unsettled, is dead-lettered. */
  error(delivery: Delivery, error: unknown): void {
    this.options.settlement
      .unexpected(delivery, error)
      .catch(() => {})
      .finally(this.options.done);
  }
}
