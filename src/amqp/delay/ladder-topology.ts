import { defaultQueueSpec, extendTopology, type BindingSpec, type ExchangeSpec, type QueueSpec, type Topology } from '../../topology/index.js';
import { delayQueueNameProblem, deliveryKey, hopKey, levelTtlMs } from './levels.js';
import { delayNames, type LadderQueueType } from './names.js';
import type { ResolvedDelayOptions } from './delay-options.js';

function exchange(name: string, type: ExchangeSpec['type'], args: Record<string, unknown> = {}): ExchangeSpec {
  return { name, type, durable: true, arguments: args, origin: 'generated' };
}

/**
 * A quorum level keeps a message until the queue it is dead-lettered to confirmed it; RabbitMQ
 * requires `reject-publish` overflow for that strategy.
 */
const AT_LEAST_ONCE_DEAD_LETTERING = Object.freeze({ 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' });

/**
 * The due queue has no dead-letter exchange (so it does not depend on any application's
 * dead-letter queue, and one ladder serves them all); its forwarders never hand a message back
 * to retry it (see DueForwarder). Only a forwarder's channel dying returns a message, which
 * RabbitMQ 4.0-4.2 count towards a default delivery limit of 20, then drop: explicit and high,
 * so it means the same on 3.x and 4.x.
 */
const DUE_DELIVERY_LIMIT = 1_000;

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

/** The queues of a topology that receive jobs (everything but the ladder, its due queue and the dead-letter queue). */
export function jobQueueNames(topology: Topology, options: ResolvedDelayOptions): string[] {
  const ladder = new Set<string>();
  for (const queueType of ['quorum', 'classic'] as const) for (const name of delayNames(options.prefix, queueType).queues(options.levels, 0)) ladder.add(name);
  ladder.add(options.deadLetterQueue);
  return topology.queues.map((spec) => spec.name).filter((name) => !ladder.has(name));
}

/**
 * `topology` plus the delay ladder, all marked `generated` so plan/apply/verify show them:
 *
 * - level k (k = levels-1 .. lowestLevel): a queue whose messages all wait 2^k ms (`x-message-ttl`),
 *   so no message waits behind a longer one (no head-of-line blocking). It dead-letters to a
 *   direct exchange of the same name (the lowest level: to the ladder's exit).
 * - the entry exchange (direct) binds `in>k` to level k; level k's exchange binds `k>j` to level
 *   j for every j < k. A job carries one such key per level it waits in (see delayRoutingKeys), so
 *   each exchange sends it to the next level of its delay. When no key matches (the job waited in
 *   its last level), the exchange's alternate exchange, the exit, takes it.
 * - quorum ladder (the default): levels are quorum queues that dead-letter at-least-once, so a
 *   broker stop mid-hop loses nothing. The exit is the due exchange (fanout) and its due queue
 *   (quorum), which workers consume to forward each job to its own queue with publisher confirms
 *   (see DueForwarder): every target of the broker's dead-lettering is one of the ladder's own
 *   queues, never a job queue an application may delete at the instant a job falls due.
 * - classic ladder (warren 0.1): the exit is the delivery exchange (direct), binding each job
 *   queue by `=<queue>`; its alternate exchange (fanout) leads to the dead-letter queue.
 * - the dead-letter queue (durable classic), routed through the AMQP default exchange, unless the
 *   topology already declares it.
 *
 * n × (n + 1) / 2 ladder bindings for n levels (496 for levels 5..35): that is what lets every hop be one
 * direct-exchange lookup. Idempotent: call it again after adding queues (the classic ladder binds them).
 */
export function delayTopology(topology: Topology, options: ResolvedDelayOptions): Topology {
  const names = delayNames(options.prefix, options.queueType);
  const quorum = options.queueType === 'quorum';
  const exchanges: ExchangeSpec[] = [exchange(names.entryExchange, 'direct')];
  const queues: QueueSpec[] = [];
  const bindings: BindingSpec[] = [];
  for (let level = options.levels - 1; level >= options.lowestLevel; level -= 1) {
    const name = names.level(level);
    const last = level === options.lowestLevel;
    if (!last) exchanges.push(exchange(name, 'direct', { 'alternate-exchange': names.exit }));
    queues.push(queue(name, levelTtlMs(level), last ? names.exit : name, options.queueType));
    bindings.push(binding(names.entryExchange, name, hopKey('in', level)));
    for (let from = options.levels - 1; from > level; from -= 1) bindings.push(binding(names.level(from), name, hopKey(from, level)));
  }
  if (names.due) {
    exchanges.push(exchange(names.due, 'fanout'));
    queues.push({ ...queue(names.due, undefined, undefined, 'quorum'), arguments: {}, deliveryLimit: DUE_DELIVERY_LIMIT });
    bindings.push(binding(names.due, names.due, ''));
  } else {
    exchanges.push(exchange(names.deliveryExchange, 'direct', { 'alternate-exchange': names.undeliverableExchange }));
    exchanges.push(exchange(names.undeliverableExchange, 'fanout'));
  }
  const deadQueueDeclared = topology.queues.some((spec) => spec.name === options.deadLetterQueue);
  // Origin `default`: a dead-letter queue that already exists with other arguments is used as it is.
  // The topology's queueType (a file's `queueType: quorum`) decides the dead-letter queue's type, as for queues warren adds on first use.
  if (!deadQueueDeclared) {
    const dead = topology.queueType === 'quorum' ? defaultQueueSpec(options.deadLetterQueue, 'quorum') : queue(options.deadLetterQueue, undefined, undefined);
    queues.push({ ...dead, origin: 'default' });
  }
  if (!quorum) {
    bindings.push(binding(names.undeliverableExchange, options.deadLetterQueue, ''));
    for (const name of jobQueueNames(topology, options)) {
      if (delayQueueNameProblem(name) === undefined) bindings.push(binding(names.deliveryExchange, name, deliveryKey(name)));
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
