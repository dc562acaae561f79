import { extendTopology, type BindingSpec, type ExchangeSpec, type QueueSpec, type Topology } from '../../topology/index.js';
import { delayQueueNameProblem, deliveryBindingPattern, levelBindingPattern, levelTtlMs } from './levels.js';
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
  return topology.queues.map((spec) => spec.name).filter((name) => !ladder.has(name) && name !== options.deadLetterQueue);
}

/**
 * `topology` plus the delay ladder, all marked `generated` so plan/apply/verify show them:
 *
 * - level k (k = levels-1 .. 0): a durable topic exchange and a durable classic queue of the same
 *   name. The queue has `x-message-ttl` 2^k ms and dead-letters to the exchange of level k-1
 *   (level 0: to the delivery exchange). The exchange routes keys whose level-k word is 1 to its
 *   queue; its alternate exchange, level k-1's exchange, takes the keys whose word is 0. So a job
 *   waits exactly in the levels of its delay's set bits, and every queue's messages share one TTL
 *   (no head-of-line blocking).
 * - the delivery exchange (topic): each job queue bound by its name followed by one `*` per level.
 *   Its alternate exchange (fanout) leads to the dead-letter queue, so a delayed job whose queue
 *   disappeared meanwhile is kept, not dropped.
 * - the dead-letter queue (durable classic), routed through the AMQP default exchange, unless the
 *   topology already declares it.
 *
 * Idempotent: call it again after adding queues to bind the new ones. A job queue whose name
 * cannot be part of a topic routing key (see delayQueueNameProblem) gets no delivery binding;
 * delaying a job into it is refused at enqueue.
 */
export function delayTopology(topology: Topology, options: ResolvedDelayOptions): Topology {
  const names = delayNames(options.prefix);
  const exchanges: ExchangeSpec[] = [];
  const queues: QueueSpec[] = [];
  const bindings: BindingSpec[] = [];
  for (let level = options.levels - 1; level >= 0; level -= 1) {
    const name = names.level(level);
    const below = level === 0 ? names.deliveryExchange : names.level(level - 1);
    exchanges.push(exchange(name, 'topic', { 'alternate-exchange': below }));
    queues.push(queue(name, levelTtlMs(level), below));
    bindings.push(binding(name, name, levelBindingPattern(level)));
  }
  exchanges.push(exchange(names.deliveryExchange, 'topic', { 'alternate-exchange': names.undeliverableExchange }));
  exchanges.push(exchange(names.undeliverableExchange, 'fanout'));
  const deadQueueDeclared = topology.queues.some((spec) => spec.name === options.deadLetterQueue);
  if (!deadQueueDeclared) queues.push(queue(options.deadLetterQueue, undefined, undefined));
  bindings.push(binding(names.undeliverableExchange, options.deadLetterQueue, ''));
  for (const name of jobQueueNames(topology, options)) {
    if (delayQueueNameProblem(name, options.levels) === undefined) {
      bindings.push(binding(names.deliveryExchange, name, deliveryBindingPattern(name, options.levels)));
    }
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
