import type { AmqpAdapterEvents } from '../adapters/amqp/amqp-adapter.js';
import type { EventMap } from '../support/typed-emitter.js';
import type { WorkerEvents } from '../worker/events.js';

/**
 * What the metrics need of an event source: `on` and `off`. A Worker's or an AmqpAdapter's
 * `events` is one; so is any emitter with the same typed methods (a fake one in a test).
 */
export interface Listenable<Events extends EventMap> {
  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): unknown;
  off<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): unknown;
}

/** A Worker (a HandlerWorker's `amqpWorker` once started), or anything with the same events and in-flight count. */
export interface ObservedWorker {
  readonly events: Listenable<WorkerEvents>;
  /** Read at each scrape for warren_jobs_in_flight. */
  readonly inFlightCount: number;
}

/** An AmqpAdapter (its `job:enqueued` and connection events), or anything with the same events. */
export interface ObservedAdapter {
  readonly events: Listenable<AmqpAdapterEvents>;
}
