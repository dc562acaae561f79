import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { redactError } from '../support/redact.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import type { Consumer } from './consumer.js';
import type { Delivery } from './delivery.js';
import type { DeadLetterPublisher } from './dead-letter-publisher.js';
import { redelay, type DueVerdict } from './due-time.js';
import type { DeliveryInfo, WorkerEvents } from './events.js';
import { deliveryInfo, type DeliveryVerdict } from './delivery.js';

export interface SettlementOptions {
  consumer: Consumer;
  adapter: AmqpAdapter;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  events: TypedEmitter<WorkerEvents>;
  /** Aborted when the worker stops: cuts a requeue pause short. */
  stopping: AbortSignal;
  /** True once shutdown gave up on in-flight jobs: their deliveries are left to the closing channel. */
  abandoned: () => boolean;
  /** Pause before a delivery whose dead letter or retry could not be published goes back to its queue. */
  requeueDelayMs: number;
}

/**
 * How a worker's deliveries end: acked, sent to the dead-letter queue, put back in their
 * queue after a pause, delayed again, or left to the closing channel. Each delivery is
 * settled at most once (the consumer refuses a second ack or nack).
 */
export class DeliverySettlement {
  constructor(private readonly options: SettlementOptions) {}

  ack(delivery: Delivery): void {
    if (this.options.consumer.ack(delivery) === 'stale') this.staleAck(delivery);
  }

  staleAck(delivery: Delivery): void {
    this.options.logger.info({ queue: delivery.queue, generation: delivery.generation }, 'ack dropped: its channel closed; the broker redelivers the job');
    this.options.events.emit('delivery:stale-ack', { ...deliveryInfo(delivery), generation: delivery.generation });
  }

  /**
   * A delivery whose channel closed before perform started (while it was held until due, or
   * waiting behind a blocked event loop) is not performed: the broker has already put it back
   * in its queue, so performing it here would only make a duplicate whose ack is dropped.
   */
  skipStale(delivery: Delivery): boolean {
    if (this.options.consumer.isLive(delivery)) return false;
    delivery.settled = true;
    this.options.logger.info(
      { queue: delivery.queue, generation: delivery.generation },
      'delivery not performed: its channel closed before it started; the broker redelivers it',
    );
    this.options.events.emit('delivery:skipped', { ...deliveryInfo(delivery), generation: delivery.generation });
    return true;
  }

  /** True when the delivery is due (held until then if it came early); false when it was settled here. */
  async afterHold(delivery: Delivery, verdict: DueVerdict): Promise<boolean> {
    if (verdict.action === 'run') return true;
    if (verdict.action === 'release') {
      this.options.consumer.nack(delivery, true);
      return false;
    }
    const info = deliveryInfo(delivery);
    try {
      await redelay(delivery, this.options.adapter, verdict.dueAt);
    } catch (error) {
      this.options.logger.error(
        { err: redactError(error), queue: delivery.queue, messageId: info.messageId },
        'cannot delay the job again; the delivery goes back to the queue',
      );
      await this.requeueLater(delivery, redactError(error));
      return false;
    }
    this.ack(delivery);
    this.options.events.emit('job:redelayed', { ...info, dueAt: verdict.dueAt });
    return false;
  }

  async settle(delivery: Delivery, verdict: DeliveryVerdict): Promise<void> {
    const { logger, events, deadLetters } = this.options;
    if (verdict.action === 'ack') {
      this.ack(delivery);
      return;
    }
    // The job's id and class travel in every event whose envelope was read.
    const info = deliveryInfo(delivery, verdict.envelope);
    switch (verdict.action) {
      case 'abandon':
        events.emit('job:abandoned', info);
        return;
      case 'requeue':
        await this.requeueLater(delivery, verdict.error, info);
        return;
      case 'dead-letter':
        try {
          await deadLetters.publish(delivery, verdict.reason, verdict.error);
        } catch (error) {
          logger.error(
            { err: redactError(error), queue: delivery.queue, messageId: info.messageId },
            'dead-letter publish failed; the delivery goes back to the queue',
          );
          await this.requeueLater(delivery, redactError(error), info);
          return;
        }
        this.ack(delivery);
        logger.warn(
          {
            queue: delivery.queue,
            messageId: info.messageId,
            job_class: info.jobClass,
            job_id: info.jobId,
            reason: verdict.reason,
            deadLetterQueue: deadLetters.queue,
          },
          'dead-lettered',
        );
        events.emit('job:dead', { ...info, reason: verdict.reason, error: verdict.error, deadLetterQueue: deadLetters.queue });
    }
  }

  /**
   * A failure of warren's own handling (a bug, or a logger that throws): the delivery, if still
   * unsettled, goes to the dead-letter queue as 'failed' with the error, so it neither holds
   * a prefetch slot until the channel closes nor comes back to fail the same way forever.
   */
  async unexpected(delivery: Delivery, error: unknown): Promise<void> {
    const reason = redactError(error);
    try {
      this.options.logger.error({ err: reason, queue: delivery.queue }, 'unexpected error handling a delivery; it goes to the dead-letter queue');
    } catch {
      // The logger may be what failed.
    }
    if (delivery.settled || this.options.abandoned()) return;
    try {
      await this.settle(delivery, { action: 'dead-letter', reason: 'failed', error: reason });
    } catch {
      // The dead-letter path failed too (its publish, and then its logging): back to the queue
      // after the usual pause rather than unsettled.
      if (!delivery.settled) await this.requeueLater(delivery, reason);
    }
  }

  /** nack with requeue after a pause (cut short by stop), so a failing publish is no tight loop. */
  private async requeueLater(delivery: Delivery, error: Error, info: DeliveryInfo = deliveryInfo(delivery)): Promise<void> {
    const { abandoned, stopping, consumer, events } = this.options;
    if (abandoned()) return;
    await sleep(this.options.requeueDelayMs, undefined, { signal: stopping }).catch(() => {});
    if (abandoned()) return;
    consumer.nack(delivery, true);
    events.emit('job:requeued', { ...info, error });
  }
}
