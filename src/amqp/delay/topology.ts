import { extendTopology, type BindingSpec, type ExchangeSpec, type QueueSpec, type Topology } from '../../topology/index.js';
import { delayQueueNameProblem, deliveryKey, hopKey, levelTtlMs } from './levels.js';
import { delayNames } from './names.js';
import type { ResolvedDelayOptions } from './options.js';

function exchange(name: string, type: ExchangeSpec['type'], args: Record<string, unknown> = {}): ExchangeSpec {
  return { name, type, durable: true, arguments: args, origin: 'generated' };
}

function queue(name: string, messageTtlMs: number | undefined, deadLetterExchange: string | undefined): QueueSpec {
  return {
    name,
    type: 'classic',
    durable: true,
    maxPriority: undefined,
    messageTtlMs,
    deadLetterExchange,
    deadLetterRoutingKey: undefined,
    consumerTimeoutMs: undefined,
    deliveryLimit: undefined,
    arguments: {},
    origin: 'generated',
  };
}

function binding(exchangeName: string, queueName: string, routingKey: string): BindingSpec {
  return { exchange: exchangeName, queue: queueName, routingKey, origin: 'generated' };
}

/** The queues of a topology that receive jobs (everything but the ladder and the dead-letter queue). */
export function jobQueueNames(topology: Topology, options: ResolvedDelayOptions): string[] {
  const names = delayNames(options.prefix);
  const ladder = new Set(Array.from({ length: options.levels }, (_, level) => names.level(level)));
  ladder.add(options.deadLetterQueue);
  return topology.queues.map((spec) => spec.name).filter((name) => !ladder.has(name));
}

/**
 * `topology` plus the delay ladder, all marked `generated` so plan/apply/verify show them:
 *
 * - level k (k = levels-1 .. lowestLevel): a durable classic queue whose messages all wait 2^k ms
 *   (`x-message-ttl`), so no message waits behind a longer one (no head-of-line blocking). It
 *   dead-letters to a direct exchange of the same name (the lowest level: to the delivery exchange).
 * - the entry exchange (direct) binds `in>k` to level k; level k's exchange binds `k>j` to level
 *   j for every j < k. A job carries one such key per level it waits in (see delayRoutingKeys), so
 *   each exchange sends it to the next level of its delay. When no key matches (the job waited in
 *   its last level), the exchange's alternate exchange, the delivery exchange, takes it.
 * - the delivery exchange (direct) binds each job queue by `=<queue>`. Its alternate exchange
 *   (fanout) leads to the dead-letter queue, so a delayed job whose queue disappeared while it
 *   waited is kept, not dropped.
 * - the dead-letter queue (durable classic), routed through the AMQP default exchange, unless the
 *   topology already declares it.
 *
 * n × (n + 1) / 2 ladder bindings for n levels (496 for levels 5..35): that is what lets every hop be one
 * direct-exchange lookup. Idempotent: call it again after adding queues to bind the new ones. A
 * queue whose name cannot be a delivery key (see delayQueueNameProblem) gets no delivery
 * binding; delaying a job into it is refused at enqueue.
 */
export function delayTopology(topology: Topology, options: ResolvedDelayOptions): Topology {
  const names = delayNames(options.prefix);
  const exchanges: ExchangeSpec[] = [exchange(names.entryExchange, 'direct')];
  const queues: QueueSpec[] = [];
  const bindings: BindingSpec[] = [];
  for (let level = options.levels - 1; level >= options.lowestLevel; level -= 1) {
    const name = names.level(level);
    const last = level === options.lowestLevel;
    if (!last) exchanges.push(exchange(name, 'direct', { 'alternate-exchange': names.deliveryExchange }));
    queues.push(queue(name, levelTtlMs(level), last ? names.deliveryExchange : name));
    bindings.push(binding(names.entryExchange, name, hopKey('in', level)));
    for (let from = options.levels - 1; from > level; from -= 1) bindings.push(binding(names.level(from), name, hopKey(from, level)));
  }
  exchanges.push(exchange(names.deliveryExchange, 'direct', { 'alternate-exchange': names.undeliverableExchange }));
  exchanges.push(exchange(names.undeliverableExchange, 'fanout'));
  const deadQueueDeclared = topology.queues.some((spec) => spec.name === options.deadLetterQueue);
  // Origin `default`: a dead-letter queue that already exists with other arguments is used as it is.
  if (!deadQueueDeclared) queues.push({ ...queue(options.deadLetterQueue, undefined, undefined), origin: 'default' });
  bindings.push(binding(names.undeliverableExchange, options.deadLetterQueue, ''));
  for (const name of jobQueueNames(topology, options)) {
    if (delayQueueNameProblem(name) === undefined) bindings.push(binding(names.deliveryExchange, name, deliveryKey(name)));
  }
  const extended = extendTopology(topology, { exchanges, queues, bindings });
  if (deadQueueDeclared || extended.routes.queues[options.deadLetterQueue]) return extended;
  return {
    ...extended,
    routes: {
      ...extended.routes,
      queues: { ...extended.routes.queues, [options.deadLetterQueue]: { exchange: '', routingKey: options.deadLetterQueue } },
    },
  };
}
