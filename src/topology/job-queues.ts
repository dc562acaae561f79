import { DEFAULTS } from '../config/defaults.js';
import type { Topology } from './types.js';

/** What `jobQueues` must also leave out: warren's own dead-letter queue. */
export interface JobQueuesOptions {
  /** Default: DEFAULTS.amqp.deadLetterQueue ('warren.dead'). */
  deadLetterQueue?: string;
}

/**
 * The queues a worker consumes when it is given no queue list: the topology's job queues.
 * Left out:
 * - queues marked `consume: false` in the topology file;
 * - queues warren generates (the delay ladder's levels) and its dead-letter queue;
 * - sinks: queues whose every binding is on an exchange that some queue uses as its
 *   `deadLetterExchange` or some exchange uses as its `alternate-exchange` (a worker consuming
 *   them would perform jobs that expired, were rejected or could not be routed). The default
 *   exchange and exchanges named by routes are never sinks: jobs are published to them.
 * A queue bound to nothing is kept (it is reached by the AMQP default exchange or a route).
 * `consume: true` keeps a queue whatever its bindings.
 */
export function jobQueues(topology: Topology, options: JobQueuesOptions = {}): string[] {
  const deadLetterQueue = options.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
  const sinkExchanges = new Set<string>();
  for (const queue of topology.queues) if (queue.deadLetterExchange) sinkExchanges.add(queue.deadLetterExchange);
  for (const exchange of topology.exchanges) {
    const alternate = exchange.arguments['alternate-exchange'];
    if (typeof alternate === 'string' && alternate !== '') sinkExchanges.add(alternate);
  }
  // An exchange jobs are published to is no sink, even when a queue dead-letters into it (a TTL wait queue that
  // dead-letters back to the job exchange is the usual retry pattern).
  sinkExchanges.delete(topology.defaultExchange);
  for (const route of [...Object.values(topology.routes.jobs), ...Object.values(topology.routes.queues)]) sinkExchanges.delete(route.exchange);
  return topology.queues
    .filter((queue) => {
      if (queue.consume !== undefined) return queue.consume;
      if (queue.origin === 'generated' || queue.name === deadLetterQueue) return false;
      const bindings = topology.bindings.filter((binding) => binding.queue === queue.name && binding.origin !== 'generated');
      return bindings.length === 0 || bindings.some((binding) => !sinkExchanges.has(binding.exchange));
    })
    .map((queue) => queue.name);
}
