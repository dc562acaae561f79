import { extendTopology, type BindingSpec, type ExchangeSpec, type QueueSpec, type Topology } from '../../topology/index.js';
import { delayQueueNameProblem, deliveryKey, hopKey, levelTtlMs } from './levels.js';
import { delayNames, type LadderQueueType } from './names.js';
import type { ResolvedDelayOptions } from './options.js';

function exchange(name: string, type: ExchangeSpec['type'], args: Record<string, unknown> = {}): ExchangeSpec {
  return { name, type, durable: true, arguments: args, origin: 'generated' };
}

/**
 * A quorum level keeps a message until the queue it is dead-lettered to confirmed it; RabbitMQ
 * requires `reject-publish` overflow for that strategy.
 */
const AT_LEAST_ONCE_DEAD_LETTERING = Object.freeze({ 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' });

function queue(name: string, messageTtlMs: number | undefined, deadLetterExchange: string | undefined, type: LadderQueueType = 'classic'): QueueSpec {
  return {
    name,
    type,
    durable: true,
    maxPriority: undefined,
    messageTtlMs,
    deadLetterExchange,
    deadLetterRoutingKey: undefined,
    consumerTimeoutMs: undefined,
    deliveryLimit: undefined,
    arguments: type === 'quorum' ? { ...AT_LEAST_ONCE_DEAD_LETTERING } : {},
    origin: 'generated',
  };
}

function binding(exchangeName: string, queueName: string, routingKey: string): BindingSpec {
  return { exchange: exchangeName, queue: queueName, routingKey, origin: 'generated' };
}

/** The queues of a topology that receive jobs (everything but the ladder and the dead-letter queue). */
export function jobQueueNames(topology: Topology, options: ResolvedDelayOptions): string[] {
  const ladder = new Set<string>();
  for (const queueType of ['quorum', 'classic'] as const) {
    const names = delayNames(options.prefix, queueType);
    for (let level = 0; level < options.levels; level += 1) ladder.add(names.level(level));
  }
  ladder.add(options.deadLetterQueue);
  return topology.queues.map((spec) => spec.name).filter((name) => !ladder.has(name));
}

/**
 * `topology` plus the delay ladder, all marked `generated` so plan/apply/verify show them:
 *
 * - level k (k = levels-1 .. lowestLevel): a queue whose messages all wait 2^k ms (`x-message-ttl`),
 *   so no message waits behind a longer one (no head-of-line blocking). It dead-letters to a
 *   direct exchange of the same name (the lowest level: to the delivery exchange). A quorum
 *   level (the default) dead-letters at-least-once: it keeps each message until the next queue
 *   confirmed it, so a broker stop mid-hop loses nothing; a classic level, at-most-once.
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
  const names = delayNames(options.prefix, options.queueType);
  const exchanges: ExchangeSpec[] = [exchange(names.entryExchange, 'direct')];
  const queues: QueueSpec[] = [];
  const bindings: BindingSpec[] = [];
  for (let level = options.levels - 1; level >= options.lowestLevel; level -= 1) {
    const name = names.level(level);
    const last = level === options.lowestLevel;
    if (!last) exchanges.push(exchange(name, 'direct', { 'alternate-exchange': names.deliveryExchange }));
    queues.push(queue(name, levelTtlMs(level), last ? names.deliveryExchange : name, options.queueType));
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
