import { AdapterError } from '../../errors.js';
import type { RouteSpec, Topology } from '../../topology/index.js';
import type { DelayedJob, DelayScheduler, PublishTarget } from './scheduler.js';
import { delayDestination } from './destination.js';
import { DELAY_HEADERS } from './hold.js';
import { compensatedLadderDelay, delayQueueNameProblem, deliveryKey, delayRoutingKeys, popcount } from './levels.js';
import { delayNames, type DelayNames } from './names.js';
import { resolveDelayOptions, type DelayOptions, type ResolvedDelayOptions } from './delay-options.js';
import { delayTopology } from './ladder-topology.js';

/** Where a delayed job is published, and what the ladder made of its delay. */
export interface LadderPlacement {
  target: PublishTarget;
  /** The queue it is delivered into when due. */
  queue: string;
  /** ms since the epoch; also in the target's headers. */
  dueAt: number;
  /** The part of the delay spent in TTL queues (0: through the due queue, or straight to the queue when due or on the classic ladder). */
  ladderDelayMs: number;
  /** TTL hops the job takes: popcount(ladderDelayMs). */
  hops: number;
}

/**
 * Delayed jobs without a broker plugin: a ladder of durable TTL queues (see delayTopology).
 *
 * A job due in d ms is published to the entry exchange with one routing key per level its ladder
 * delay waits in (`in>9`, then `9>5` in CC) and its delivery key (`=<queue>`); it waits in each
 * level whose bit is set and is dead-lettered on to its queue (see delayTopology). Each hop costs
 * the broker a little (about 2 ms), so the ladder delay is d minus an allowance per hop
 * (hopAllowanceMs) and once (fixedAllowanceMs), rounded down to the lowest level: jobs arrive
 * slightly early and the worker holds them until the `warren-due-at` header says they are due.
 * Delays too short for the ladder are published straight to the job's route and held the same
 * way. Delays longer than the ladder (2^levels - 2^lowestLevel ms) wait its maximum, then the
 * worker sends them round again for the rest.
 *
 * Producers and workers must use the same options (prefix, levels). Messages keep their
 * priority property and persistence; the job queue orders by priority on arrival.
 */
export class DelayLadder implements DelayScheduler {
  readonly supportsDelays = true;
  readonly options: ResolvedDelayOptions;
  readonly names: DelayNames;

  constructor(options: DelayOptions = {}) {
    this.options = resolveDelayOptions(options);
    this.names = delayNames(this.options.prefix, this.options.queueType);
  }

  /** The quorum ladder's due queue, which workers forward from; undefined for the classic ladder. */
  get dueQueue(): string | undefined {
    return this.names.due;
  }

  /** Every queue the ladder declares (levels, then the due queue); the dead-letter queue is not the ladder's. */
  queueNames(): string[] {
    return this.names.queues(this.options.levels, this.options.lowestLevel);
  }

  /** Every exchange the ladder declares. */
  exchangeNames(): string[] {
    return this.names.exchanges(this.options.levels, this.options.lowestLevel);
  }

  extendTopology(topology: Topology): Topology {
    return delayTopology(topology, this.options);
  }

  /**
   * The publish target of a job due in `delayMs` whose immediate route is `route`. With the
   * topology, the destination queue is the one the route reaches (see delayDestination);
   * without, the envelope's queue.
   */
  targetFor(route: RouteSpec, delayMs: number, envelope: DelayedJob, topology?: Topology): PublishTarget {
    const queue = delayDestination(topology, route, envelope.queue_name);
    return this.place(queue, Date.now() + delayMs, route).target;
  }

  /**
   * Where to publish a job so it is delivered into `queue` at `dueAt` (ms since the epoch).
   * `route` is used when the delay is too short for the ladder; default: straight to the queue
   * through the AMQP default exchange. AdapterError when the queue's name cannot be routed
   * through the ladder.
   */
  place(queue: string, dueAt: number, route: RouteSpec = { exchange: '', routingKey: queue }, now: number = Date.now()): LadderPlacement {
    const ladderDelayMs = compensatedLadderDelay(dueAt - now, this.options);
    const headers = { [DELAY_HEADERS.dueAt]: Math.ceil(dueAt) };
    // Too short for a TTL hop but not due yet: through the due queue, whose forwarder publishes it
    // into its queue when due (never early on the wire, whoever consumes that queue). The classic
    // ladder has no due queue: there the job goes straight to its queue and a warren worker holds it.
    const dueNow = ladderDelayMs === 0 && (this.names.due === undefined || dueAt <= now || delayQueueNameProblem(queue) !== undefined);
    if (dueNow) {
      return { target: { exchange: route.exchange, routingKey: route.routingKey, headers }, queue, dueAt, ladderDelayMs, hops: 0 };
    }
    if (ladderDelayMs === 0) {
      return { target: { exchange: this.names.due!, routingKey: deliveryKey(queue), headers }, queue, dueAt, ladderDelayMs, hops: 0 };
    }
    const problem = delayQueueNameProblem(queue);
    if (problem) throw new AdapterError(`cannot delay a job into queue "${queue}": ${problem}`);
    const [routingKey, ...cc] = delayRoutingKeys(queue, ladderDelayMs, this.options.levels);
    const target: PublishTarget = { exchange: this.names.entryExchange, routingKey: routingKey!, cc, headers };
    return { target, queue, dueAt, ladderDelayMs, hops: popcount(ladderDelayMs) };
  }
}
