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
