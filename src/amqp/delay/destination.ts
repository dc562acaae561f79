import type { MessageProperties } from 'amqplib';
import { AdapterError } from '../../errors.js';
import type { RouteSpec, Topology } from '../../topology/index.js';
import { routeReachesQueue } from '../../topology/routes.js';

/**
 * The queue a delayed job is delivered into when it is due: the one queue its route reaches.
 *
 * - the AMQP default exchange (""): the queue named by the routing key;
 * - a route the topology's bindings take to exactly one queue: that queue (a route that
 *   reaches several queues is refused: a delayed job is delivered into one queue);
 * - the default route of a queue the topology does not list yet (declared on first use): that queue;
 * - no topology given: the job's own queue.
 */
export function delayDestination(topology: Topology | undefined, route: RouteSpec, queueName: string): string {
  if (route.exchange === '') return route.routingKey;
  if (!topology) return queueName;
  const reached = topology.queues.map((queue) => queue.name).filter((name) => routeReachesQueue(topology, route, name) === true);
  if (reached.length === 1) return reached[0]!;
  const isDefaultRoute = route.exchange === topology.defaultExchange && route.routingKey === queueName;
  if (reached.length === 0 && isDefaultRoute) return queueName;
  const where = `exchange "${route.exchange}" with routing key "${route.routingKey}"`;
  if (reached.length === 0) {
    throw new AdapterError(
      `cannot delay a job routed to ${where}: no queue of the topology is bound to receive it, so the delay ladder cannot tell which queue to deliver it to`,
    );
  }
  throw new AdapterError(
    `cannot delay a job routed to ${where}: the route reaches several queues (${reached.join(', ')}) and a delayed job is delivered into one; route the job to one queue`,
  );
}

/** The own string values of an array-valued header (amqplib gives AMQP arrays as JS arrays). */
function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The queue a due job goes to: its delivery key (`=<queue>`, see delayRoutingKeys) among the
 * routing keys it was published with, which the broker keeps in the `CC` header and in each
 * `x-death` entry. Headers are read as own properties only (a `__proto__` header is data).
 */
export function dueDestination(properties: MessageProperties, routingKey: string): string | undefined {
  const headers = (properties.headers ?? {}) as Record<string, unknown>;
  const keys = [routingKey, ...(Object.hasOwn(headers, 'CC') ? stringsOf(headers.CC) : [])];
  const deaths = Object.hasOwn(headers, 'x-death') && Array.isArray(headers['x-death']) ? (headers['x-death'] as unknown[]) : [];
  for (const death of deaths) {
    if (death && typeof death === 'object' && Object.hasOwn(death, 'routing-keys')) keys.push(...stringsOf((death as Record<string, unknown>)['routing-keys']));
  }
  const key = keys.find((candidate) => candidate.startsWith('=') && candidate.length > 1);
  return key?.slice(1);
}
