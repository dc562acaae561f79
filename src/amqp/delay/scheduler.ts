import type { Envelope } from '../../envelope/envelope.js';
import { AdapterError } from '../../errors.js';
import type { QueueSpec, RouteSpec, Topology } from '../../topology/index.js';

/** Where a publish goes, and what the delay mechanism adds to the message. */
export interface PublishTarget {
  exchange: string;
  routingKey: string;
  /** Headers the delay mechanism needs (for example the due time). Never names starting `x-death`. */
  headers?: Record<string, string | number | boolean>;
  /** Per-message TTL in ms, as a string (AMQP `expiration`), when the mechanism uses one. */
  expiration?: string;
  /** Queues that must exist before the publish (declared on first use, refreshed every `refreshMs`). */
  queues?: QueueSpec[];
  /**
   * More routing keys, sent in the AMQP `CC` header. The broker routes the message by each of them
   * as well, and keeps them when it dead-letters the message (the delay ladder's hop keys).
   */
  cc?: string[];
}

/** What a scheduler may read of a job: enough to route it and to name it in errors. */
export type DelayedJob = Pick<Envelope, 'job_class' | 'job_id' | 'queue_name'>;

/**
 * The hook for delayed jobs (`enqueueAt` with a future time, retry waits). Given a job's
 * final route and how long it must wait, a scheduler says where to publish it instead
 * (for example the first level of a TTL-queue ladder that dead-letters into the route).
 * The adapter publishes there with the usual confirms, `mandatory` and timeout.
 */
export interface DelayScheduler {
  /** Whether `targetFor` accepts positive delays. */
  readonly supportsDelays: boolean;
  /** A queue of due jobs that workers forward into their own queues (see DueForwarder); none when the broker delivers them. */
  readonly dueQueue?: string | undefined;
  /** The topology plus whatever the delay mechanism needs declared (delay levels). Default: unchanged. */
  extendTopology?(topology: Topology): Topology;
  /** How long a declaration of a target's `queues` may be reused before it is sent again. Default: forever. */
  readonly refreshMs?: number;
  /** The publish target for a job due in `delayMs` (> 0) whose destination is `route`, in the adapter's current `topology`. */
  targetFor(route: RouteSpec, delayMs: number, envelope: DelayedJob, topology?: Topology): PublishTarget;
}

/**
 * Due-now jobs only: a positive delay is refused with an AdapterError rather than run
 * early. For brokers where warren may not declare delay queues.
 */
export const immediateOnly: DelayScheduler = Object.freeze({
  supportsDelays: false,
  targetFor(route: RouteSpec, delayMs: number, envelope: DelayedJob): PublishTarget {
    throw new AdapterError(
      `cannot delay job ${envelope.job_class} (${envelope.job_id}) by ${delayMs} ms to ${route.exchange}/${route.routingKey}: ` +
        'delayed jobs need the delay topology, which this AMQP adapter was not configured with',
    );
  },
});
