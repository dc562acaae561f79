import { arrivalDecision, dueAtOf, waitUntilDue } from '../amqp/delay/hold.js';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { republishedHeaders, republishedProperties } from '../amqp/republish.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import type { Delivery } from './delivery.js';
import type { WorkerEvents } from './events.js';
import { deliveryInfo } from './delivery.js';

/** What to do with a delivery once its due time was looked at. */
export type DueVerdict =
  /** Due: perform it. */
  | { action: 'run' }
  /** Shutdown interrupted the hold: hand it back to the queue. */
  | { action: 'release' }
  /** Far too early: publish it into the delay ladder again, then ack. */
  | { action: 'redelay'; dueAt: number };

/**
 * Delayed jobs arrive a little before their `warren-due-at` time (the delay ladder errs early,
 * never late by the sum of its hops). A delivery early by at most `maxHoldMs` is held, unacked,
 * until due: it occupies one prefetch slot meanwhile. Earlier than that, it should go round the
 * ladder again. A delivery without a due time runs at once.
 */
export function untilDue(
  delivery: Delivery,
  options: { maxHoldMs: number; stopping: AbortSignal; events: TypedEmitter<WorkerEvents> },
): DueVerdict | Promise<DueVerdict> {
  const dueAt = dueAtOf(delivery.message.properties.headers as Record<string, unknown> | undefined);
  // Synchronous unless the delivery is held: most deliveries are not delayed jobs.
  if (dueAt === undefined) return RUN_NOW;
  const decision = arrivalDecision(dueAt, Date.now(), options.maxHoldMs);
  if (decision.action === 'run') return RUN_NOW;
  if (decision.action === 'redelay') return decision;
  if (options.events.has('job:held')) options.events.emit('job:held', { ...deliveryInfo(delivery), dueAt, waitMs: decision.waitMs });
  return waitUntilDue(dueAt, options.stopping).then((due) => (due ? RUN_NOW : RELEASE));
}

/** The verdict for a delivery that is due: compare with `===` to skip an await. */
export const RUN_NOW: DueVerdict = Object.freeze({ action: 'run' });
const RELEASE: DueVerdict = Object.freeze({ action: 'release' });

/** Publishes the delivery (body unchanged, trip headers dropped) so it reaches its queue at `dueAt`; resolves once confirmed. */
export async function redelay(delivery: Delivery, adapter: AmqpAdapter, dueAt: number): Promise<void> {
  const { properties, content } = delivery.message;
  const republished = republishedProperties(properties, republishedHeaders(properties.headers as Record<string, unknown> | undefined));
  await adapter.publishToQueueAt(delivery.queue, content, republished, dueAt);
}
