import type { Channel, ConsumeMessage } from 'amqplib';
import type { Envelope } from '../envelope/envelope.js';
import type { DeadLetterReason, DeliveryInfo } from './events.js';

/**
 * One message as the worker holds it. The delivery tag is only meaningful on `channel`:
 * `generation` numbers the channels of this consumer, so an ack for a delivery of a
 * channel that has since closed is recognised and dropped.
 */
export interface Delivery {
  readonly message: ConsumeMessage;
  readonly queue: string;
  readonly channel: Channel;
  readonly generation: number;
  /** Set once acked, nacked or dropped; a delivery is settled at most once. */
  settled: boolean;
  /** Settled with an ack that ChannelAcks has yet to send. */
  ackQueued?: boolean;
}

/** What happened to a delivery; the worker acks, nacks or leaves it accordingly. */
export type DeliveryVerdict =
  | { action: 'ack' }
  /** `envelope`: when the message could be read as one (its job id then travels in the events). */
  | { action: 'dead-letter'; reason: DeadLetterReason; error: Error; envelope?: Envelope | undefined }
  | { action: 'requeue'; error: Error; envelope?: Envelope | undefined }
  /** Shutdown aborted it: no ack, no nack; closing the channel gives it back to the broker. */
  | { action: 'abandon'; envelope?: Envelope | undefined };

/** The verdict of every delivery performed without trouble: compare with `===`. */
export const ACK: DeliveryVerdict = Object.freeze({ action: 'ack' });

/**
 * An ack for a delivery that was not performed but published again for later (over its
 * concurrency limit): acked like any other, but not counted as performed in the heartbeats.
 */
export const POSTPONED: DeliveryVerdict = Object.freeze({ action: 'ack' });

/** Where a delivery's verdict goes (one object per worker, so a delivery needs no closures of its own). */
export interface VerdictSink {
  verdict(delivery: Delivery, verdict: DeliveryVerdict): void;
  /** warren's own handling failed (a logger or an event listener threw). */
  error(delivery: Delivery, error: unknown): void;
}

/** What the worker's events say about a delivery; the job's class and id once its envelope was read. */
export function deliveryInfo(delivery: Delivery, envelope?: Envelope): DeliveryInfo {
  const messageId = delivery.message.properties.messageId as string | undefined;
  return {
    queue: delivery.queue,
    messageId,
    jobClass: envelope?.job_class,
    jobId: envelope?.job_id,
    redelivered: delivery.message.fields.redelivered,
  };
}
