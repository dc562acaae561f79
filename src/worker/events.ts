import type { ConnectionEvents } from '../amqp/connection.js';

/** Identifies the delivery an event is about. `jobClass`/`jobId` are absent when the body could not be decoded. */
export interface DeliveryInfo {
  queue: string;
  messageId: string | undefined;
  jobClass: string | undefined;
  jobId: string | undefined;
  /** The broker delivered this message before (a worker died or a channel closed before the ack). */
  redelivered: boolean;
}

/** Why a message went to the dead-letter queue (the `warren-reason` header). */
export type DeadLetterReason =
  /** Body above maxMessageBytes. */
  | 'too-large'
  /** Unknown content type, or a body that is not a valid envelope. */
  | 'undecodable'
  /** A job name the registry does not know. */
  | 'unknown-job'
  /** Arguments that could not be read back (and no rule handled it). */
  | 'deserialization'
  /** perform raised and no rule handled it, or retries were exhausted. */
  | 'failed'
  /** A delayed job fell due for a queue that no longer exists (or its message names none). */
  | 'undeliverable'
  /** The worker requires signed envelopes and the message carries no signature. */
  | 'unsigned'
  /** The signature names an unknown key, is malformed, or does not match the body. */
  | 'bad-signature';

/**
 * Worker events, in the order a job sees them: `job:held` (a delayed job that arrived a
 * little early) or `job:redelayed` (far too early: sent round again), `job:start`, then one of `job:complete`,
 * `job:retry`, or `job:error` followed by `job:dead` (or `job:requeued` when the
 * dead-letter publish failed), or `job:abandoned` when shutdown cut it short.
 */
export interface WorkerEvents extends ConnectionEvents {
  'worker:ready': { queues: string[]; concurrency: number };
  /** `quiet()` (or a control message): no new jobs; the running ones finish. */
  'worker:quiet': { inFlight: number };
  'worker:stopping': { inFlight: number };
  'worker:stopped': { abandoned: number };
  /** `enqueuedAt`: the envelope's enqueued_at (ms since the epoch), when it has one; start minus it is the job's queue latency. */
  'job:start': DeliveryInfo & { executions: number; enqueuedAt: number | undefined };
  'job:complete': DeliveryInfo & { outcome: 'performed' | 'discarded' | 'skipped'; durationMs: number };
  /** perform failed and a retry rule enqueued the next attempt (confirmed by the broker); the delivery was acked. */
  'job:retry': DeliveryInfo & { durationMs: number };
  /** A delivery failed for good (decode, lookup, perform); the dead-letter path follows. */
  'job:error': DeliveryInfo & { error: Error; reason: DeadLetterReason };
  /** The message is in the dead-letter queue (publish confirmed) and the delivery was acked. */
  'job:dead': DeliveryInfo & { reason: DeadLetterReason; error: Error; deadLetterQueue: string };
  /** The delivery was handed back to the broker (nack with requeue) because a publish it needed failed. */
  'job:requeued': DeliveryInfo & { error: Error };
  /** Shutdown timed out while the job ran: its signal was aborted and the delivery left unacked (redelivered). */
  'job:abandoned': DeliveryInfo;
  /**
   * A delayed job arrived before its due time (the delay ladder delivers a little early rather
   * than late) and is held, unacked, until `dueAt` (ms since the epoch); `job:start` follows then.
   */
  'job:held': DeliveryInfo & { dueAt: number; waitMs: number };
  /**
   * A delayed job arrived more than `maxHoldMs` early: it was published into the delay ladder
   * again for the rest of its wait (confirmed), and the delivery acked.
   */
  'job:redelayed': DeliveryInfo & { dueAt: number };
  /** An ack that belonged to a channel that has since closed was dropped (the broker redelivers the message). */
  'delivery:stale-ack': DeliveryInfo & { generation: number };
  /**
   * A delivery whose channel closed before perform started was not performed (the broker
   * redelivers it): for example a delayed job held until due while the connection dropped.
   */
  'delivery:skipped': DeliveryInfo & { generation: number };
  /** This worker became (`leading: true`) or stopped being the leader of its scheduler group (src/worker/scheduler.ts). */
  'scheduler:leadership': { group: string; leading: boolean };
  /** The leader enqueued a schedule's tick (publish confirmed): `jobId` is `<schedule>@<tick ISO time>`. */
  'schedule:enqueued': { schedule: string; tick: string; jobId: string; jobClass: string; queue: string };
  /** The leader left missed ticks out by the schedule's policy: those after `after` up to `until` (ISO times). */
  'schedule:skipped': { schedule: string; after: string; until: string };
}
