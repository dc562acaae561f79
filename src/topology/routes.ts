import { TOPOLOGY_DEFAULTS } from './default-topology.js';
import type { ExchangeSpec, RouteSpec, Topology } from './types.js';

function hasWildcard(routingKey: string): boolean {
  return routingKey.split('.').some((word) => word === '*' || word === '#');
}

/**
 * Where a job goes, first match wins:
 * 1. `routes.jobs[jobClass]`;
 * 2. `routes.queues[queueName]`;
 * 3. a binding of that queue on a direct or topic exchange with a routing key without
 *    wildcards (the default exchange's binding first), published with that key; bindings
 *    warren generates (the delay ladder's) are not routes;
 * 4. the default exchange with routing key = queue name (what `ensureQueue` binds).
 */
export function resolveRoute(topology: Topology, queueName: string, jobClass?: string): RouteSpec {
  // Topologies are never changed in place (ensureQueue and friends return new ones), so a route
  // can be remembered per topology object: the publisher asks for one on every job.
  let routes = routeCache.get(topology);
  if (!routes) routeCache.set(topology, (routes = new Map()));
  const key = jobClass === undefined ? queueName : `${queueName}\u0000${jobClass}`;
  let route = routes.get(key);
  if (!route) routes.set(key, (route = Object.freeze(computeRoute(topology, queueName, jobClass))));
  return route;
}

const routeCache = new WeakMap<Topology, Map<string, RouteSpec>>();

function computeRoute(topology: Topology, queueName: string, jobClass?: string): RouteSpec {
  const jobRoute = jobClass === undefined ? undefined : topology.routes.jobs[jobClass];
  if (jobRoute) return jobRoute;
  const queueRoute = topology.routes.queues[queueName];
  if (queueRoute) return queueRoute;
  const exchanges = new Map<string, ExchangeSpec>(topology.exchanges.map((exchange) => [exchange.name, exchange]));
  const usable = topology.bindings.filter((binding) => {
    const type = exchanges.get(binding.exchange)?.type;
    // Generated bindings (the delay ladder's delivery bindings) are warren's plumbing, never a job's route.
    return binding.queue === queueName && binding.origin !== 'generated' && (type === 'direct' || type === 'topic') && !hasWildcard(binding.routingKey);
  });
  const binding = usable.find((candidate) => candidate.exchange === topology.defaultExchange) ?? usable[0];
  if (binding) return { exchange: binding.exchange, routingKey: binding.routingKey };
  return { exchange: topology.defaultExchange, routingKey: queueName };
}

/**
 * The `x-max-priority` of queue `queueName`: its declaration's, or, for a queue the topology
 * does not list, the one `ensureQueue` would give it (TOPOLOGY_DEFAULTS.defaultQueueMaxPriority).
 * Undefined: the queue has no priorities (a priority set on its jobs is ignored).
 */
export function queueMaxPriority(topology: Topology, queueName: string): number | undefined {
  const queue = topology.queues.find((candidate) => candidate.name === queueName);
  if (!queue) return TOPOLOGY_DEFAULTS.defaultQueueMaxPriority;
  return queue.type === 'classic' ? queue.maxPriority : undefined;
}

/**
 * The part of a topology one queue needs: the queue, its bindings, the exchanges they and its
 * route use, and its dead-letter exchange. For declaring a queue on first use.
 */
export function topologyForQueue(topology: Topology, queueName: string): Topology {
  const queues = topology.queues.filter((queue) => queue.name === queueName);
  const bindings = topology.bindings.filter((binding) => binding.queue === queueName);
  const route = resolveRoute(topology, queueName);
  const exchangeNames = new Set<string>([route.exchange, ...bindings.map((binding) => binding.exchange)]);
  for (const queue of queues) if (queue.deadLetterExchange) exchangeNames.add(queue.deadLetterExchange);
  return {
    ...topology,
    exchanges: topology.exchanges.filter((exchange) => exchangeNames.has(exchange.name)),
    queues,
    bindings,
  };
}

/** Whether a topic binding pattern (`*` one word, `#` zero or more) matches a routing key. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const patternWords = pattern.split('.');
  const keyWords = routingKey.split('.');
  const match = (p: number, k: number): boolean => {
    if (p === patternWords.length) return k === keyWords.length;
    const word = patternWords[p];
    if (word === '#') return match(p + 1, k) || (k < keyWords.length && match(p, k + 1));
    if (k === keyWords.length) return false;
    return (word === '*' || word === keyWords[k]) && match(p + 1, k + 1);
  };
  return match(0, 0);
}

/**
 * Whether a job published by `route` reaches queue `queueName` through the topology's bindings.
 * Undefined when it cannot be told (headers exchanges route on message headers).
 */
export function routeReachesQueue(topology: Topology, route: RouteSpec, queueName: string): boolean | undefined {
  if (route.exchange === '') return route.routingKey === queueName;
  const type = topology.exchanges.find((exchange) => exchange.name === route.exchange)?.type;
  let unknown = false;
  for (const binding of topology.bindings) {
    if (binding.exchange !== route.exchange || binding.queue !== queueName) continue;
    if (type === 'fanout') return true;
    if (type === 'direct' && binding.routingKey === route.routingKey) return true;
    if (type === 'topic' && topicMatches(binding.routingKey, route.routingKey)) return true;
    if (type === 'headers' || type === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/**
 * Whether a job published by `route` for queue `queueName` reaches a queue: a binding of the
 * topology takes it to one (or it cannot be told: headers exchanges), the route is the AMQP
 * default exchange (routing key = queue name), or it is the default route of a queue the
 * topology does not list yet (`ensureQueue` declares it bound by its name on first use).
 * False means the broker would return the job as unroutable; the delayed path checks this
 * before a job enters the delay ladder, whose last exchange could not deliver it.
 */
export function routeReachesSomeQueue(topology: Topology, route: RouteSpec, queueName: string): boolean {
  if (route.exchange === '') return true;
  const listed = topology.queues.some((queue) => queue.name === queueName);
  if (!listed && route.exchange === topology.defaultExchange && route.routingKey === queueName) return true;
  return topology.queues.some((queue) => routeReachesQueue(topology, route, queue.name) !== false);
}
