import { DEFAULTS } from '../config/defaults.js';
import { TopologyValidationError } from './topology-errors.js';
import type { BindingSpec, ExchangeSpec, QueueSpec, QueueType, Topology } from './types.js';
import { validateTopology } from './validate.js';

/** The topology module's defaults (one place for all: DEFAULTS in src/config/defaults.ts). */
export const TOPOLOGY_DEFAULTS = DEFAULTS.topology;

/** The exchange used when no file declares the default exchange: durable, direct. */
export function defaultExchangeSpec(name: string = DEFAULTS.amqp.exchange): ExchangeSpec {
  return { name, type: TOPOLOGY_DEFAULTS.defaultExchangeType, durable: true, arguments: {}, origin: 'default' };
}

/**
 * The queue declared for a name no topology file lists: durable, no priorities, and
 * - `classic` (the default, TOPOLOGY_DEFAULTS): classic queue version 2;
 * - `quorum`: a plain quorum queue. No `x-queue-version`, no `x-max-priority` (RabbitMQ 3.10
 *   refuses both on quorum queues with a 406), no delivery limit, so no dead-letter exchange is
 *   needed (RabbitMQ 4.x applies a delivery limit of 20 of its own: see docs/rabbitmq.md).
 */
export function defaultQueueSpec(name: string, type: QueueType = TOPOLOGY_DEFAULTS.defaultQueueType): QueueSpec {
  const quorum = type === 'quorum';
  return {
    name,
    type,
    durable: true,
    maxPriority: quorum ? undefined : TOPOLOGY_DEFAULTS.defaultQueueMaxPriority,
    messageTtlMs: undefined,
    deadLetterExchange: undefined,
    deadLetterRoutingKey: undefined,
    consumerTimeoutMs: undefined,
    deliveryLimit: undefined,
    arguments: quorum ? {} : { ...TOPOLOGY_DEFAULTS.defaultQueueArguments },
    origin: 'default',
  };
}

function emptyTopology(defaultExchange: string): Topology {
  return { exchanges: [], queues: [], bindings: [], routes: { jobs: {}, queues: {} }, defaultExchange, files: [] };
}

function sameBinding(a: BindingSpec, b: BindingSpec): boolean {
  return a.exchange === b.exchange && a.queue === b.queue && a.routingKey === b.routingKey;
}

/** Declarations to add to a topology (for example generated delay or dead-letter queues). */
export interface TopologyAdditions {
  exchanges?: readonly ExchangeSpec[];
  queues?: readonly QueueSpec[];
  bindings?: readonly BindingSpec[];
}

/**
 * A new topology with `additions` appended. Declarations already present under the same
 * name (or the same binding) are kept as they are, so extending twice changes nothing.
 * Throws TopologyValidationError when the result is invalid.
 */
export function extendTopology(topology: Topology, additions: TopologyAdditions): Topology {
  const exchangeNames = new Set(topology.exchanges.map((exchange) => exchange.name));
  const queueNames = new Set(topology.queues.map((queue) => queue.name));
  const exchanges = (additions.exchanges ?? []).filter((exchange) => !exchangeNames.has(exchange.name));
  const queues = (additions.queues ?? []).filter((queue) => !queueNames.has(queue.name));
  const bindings = (additions.bindings ?? []).filter(
    (binding, index, all) =>
      !topology.bindings.some((existing) => sameBinding(existing, binding)) && all.findIndex((other) => sameBinding(other, binding)) === index,
  );
  if (exchanges.length === 0 && queues.length === 0 && bindings.length === 0) return topology;
  const extended: Topology = {
    ...topology,
    exchanges: [...topology.exchanges, ...exchanges],
    queues: [...topology.queues, ...queues],
    bindings: [...topology.bindings, ...bindings],
  };
  const issues = validateTopology(extended);
  if (issues.length > 0) throw new TopologyValidationError(issues);
  return extended;
}

/**
 * Make sure queue `name` is declared: a topology that lists it is returned unchanged; otherwise
 * a new topology with a default queue of the topology's `queueType` (defaultQueueSpec: durable,
 * no priorities; classic version 2 unless `queueType` is `quorum`) bound to the default exchange
 * with routing key = name, and the default exchange itself when missing.
 */
export function ensureQueue(topology: Topology, name: string): Topology {
  if (topology.queues.some((queue) => queue.name === name)) return topology;
  const hasExchange = topology.exchanges.some((exchange) => exchange.name === topology.defaultExchange);
  return extendTopology(topology, {
    exchanges: hasExchange ? [] : [defaultExchangeSpec(topology.defaultExchange)],
    queues: [defaultQueueSpec(name, topology.queueType)],
    bindings: [{ exchange: topology.defaultExchange, queue: name, routingKey: name, origin: 'default' }],
  });
}

/** `ensureQueue` for each name. */
export function withQueues(topology: Topology, names: readonly string[]): Topology {
  return names.reduce(ensureQueue, topology);
}

/** Options of `defaultTopology`. */
export interface DefaultTopologyOptions {
  /** The type of the queues it lists and of those warren adds later (Topology.queueType). Default: `classic`. */
  queueType?: QueueType | undefined;
}

/**
 * The topology used with no file: one durable direct exchange (DEFAULTS.amqp.exchange), and a
 * durable queue per name bound by its name (defaultQueueSpec): classic, or quorum with
 * `{ queueType: 'quorum' }`.
 */
export function defaultTopology(queueNames: readonly string[] = [], options: DefaultTopologyOptions = {}): Topology {
  const base = emptyTopology(DEFAULTS.amqp.exchange);
  const queueType = options.queueType;
  return withQueues({ ...base, exchanges: [defaultExchangeSpec()], ...(queueType && { queueType }) }, queueNames);
}
