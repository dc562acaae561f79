import type { Channel } from 'amqplib';
import { settings } from '../../config/configuration.js';
import { brokerReplyText, brokerValueToJs, isBrokerChannelError, parseInequivalentArgument, UNREADABLE } from './broker-errors.js';
import { connectionOfChannel, ThrowawayChannels, type ProbeConnection } from './channels.js';
import { declaredValue, exchangeDeclaration, queueDeclaration, type ExchangeDeclaration, type QueueDeclaration } from '../../topology/declarations.js';
import { conflictOf, describeAdoptedQueue, describeDifferences, migrationAdvice } from './describe.js';
import { TopologyDriftError, type ArgumentDifference, type DeclarationConflict } from '../../topology/topology-errors.js';
import { inspectExchange, inspectQueue, type Inspection } from './inspect.js';
import type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from '../../topology/types.js';

export interface AssertTopologyOptions {
  /**
   * Where to open the short-lived channels declarations run on (see assertTopology).
   * Default: the connection `channel` belongs to. With amqp-connection-manager, pass
   * `manager.connection` to be independent of amqplib internals.
   */
  connection?: ProbeConnection;
}

/** A queue not listed in any topology file that exists with other arguments than warren's default. */
export interface AdoptedQueue {
  name: string;
  differences: ArgumentDifference[];
  /** In plain words, e.g. "queue 'mailers' has no x-max-priority on the broker but 10 by warren's default. ...". */
  description: string;
}

export interface AssertTopologyResult {
  /** Queues warren declares by default that already existed with other arguments: used as they are, not re-declared. */
  adoptedQueues: AdoptedQueue[];
}

/** The queue spec fields an adopted queue's broker value replaces, by the broker's argument name. */
const ADOPTED_FIELDS: Readonly<Record<string, (queue: QueueSpec, actual: unknown) => QueueSpec>> = {
  'x-max-priority': (queue, actual) => ({ ...queue, maxPriority: typeof actual === 'number' ? actual : undefined }),
  'x-queue-type': (queue, actual) => ({ ...queue, type: actual === 'quorum' ? 'quorum' : 'classic' }),
  'x-message-ttl': (queue, actual) => ({ ...queue, messageTtlMs: typeof actual === 'number' ? actual : undefined }),
  'x-dead-letter-exchange': (queue, actual) => ({ ...queue, deadLetterExchange: typeof actual === 'string' ? actual : undefined }),
  'x-dead-letter-routing-key': (queue, actual) => ({ ...queue, deadLetterRoutingKey: typeof actual === 'string' ? actual : undefined }),
  'x-consumer-timeout': (queue, actual) => ({ ...queue, consumerTimeoutMs: typeof actual === 'number' ? actual : undefined }),
  'x-delivery-limit': (queue, actual) => ({ ...queue, deliveryLimit: typeof actual === 'number' ? actual : undefined }),
  durable: (queue, actual) => ({ ...queue, durable: actual === true }),
};

/**
 * `topology` with each adopted queue described as the broker has it (its real max priority,
 * type, TTL...), so what warren derives from the spec matches the broker: a queue adopted with
 * x-max-priority 3 maps job priorities against 3, one adopted without a max priority gets none
 * (its jobs' priorities are ignored, with the usual warning). Differences the broker refused
 * outright (`refusedByBroker`) leave the spec's value out. Unchanged when nothing was adopted.
 */
export function withAdoptedQueues(topology: Topology, adopted: readonly AdoptedQueue[]): Topology {
  if (adopted.length === 0) return topology;
  const byName = new Map(adopted.map((queue) => [queue.name, queue]));
  return {
    ...topology,
    queues: topology.queues.map((queue) => {
      const found = byName.get(queue.name);
      if (!found) return queue;
      return found.differences.reduce((spec, difference) => {
        const apply = ADOPTED_FIELDS[difference.argument];
        if (apply) return apply(spec, difference.actual);
        if (difference.argument.startsWith('x-')) {
          const args = { ...spec.arguments };
          if (difference.actual === undefined) delete args[difference.argument];
          else args[difference.argument] = difference.actual;
          // biome-ignore lint/performance/noAccumulatingSpread: a handful of differences per queue; each step keeps the spec immutable
          return { ...spec, arguments: args };
        }
        return spec;
      }, queue);
    }),
  };
}

const warnedAdoptions = new Set<string>();

function warnOnce(adopted: AdoptedQueue): void {
  if (warnedAdoptions.has(adopted.name)) return;
  warnedAdoptions.add(adopted.name);
  settings().logger.warn({ queue: adopted.name }, adopted.description);
}

function bindingName(binding: BindingSpec): string {
  return `${binding.exchange} -> ${binding.queue} (routing key '${binding.routingKey}')`;
}

function failure(kind: DeclarationConflict['kind'], name: string, error: Error): DeclarationConflict {
  return { kind, name, differences: [], description: `${kind} '${name}' could not be declared: ${brokerReplyText(error)}` };
}

/** A conflict explained by inspecting the entity, or the declare's own error when inspection finds nothing. */
function explain(inspection: Inspection, spec: ExchangeSpec | QueueSpec, error: Error): DeclarationConflict {
  return inspection.status === 'differs' || inspection.status === 'locked' || inspection.status === 'unknown'
    ? conflictOf(inspection, spec)
    : failure(inspection.kind, inspection.name, error);
}

/**
 * RabbitMQ answers "home node ... of durable queue ... is down or inaccessible" (404) to a
 * declaration that races another client's creation of the same quorum queue, until its Ra
 * members are up (seen on 3.10, when a producer and a worker declare a new quorum delay queue at
 * once). That passes within moments: tried again a few times before it counts as a failure.
 */
const TRANSIENT_DECLARE = /is down or inaccessible/;
const TRANSIENT_DECLARE_TRIES = 10;

async function declareQueue(channels: ThrowawayChannels, queue: Topology['queues'][number]): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await channels.run((channel) => channel.assertQueue(queue.name, queueDeclaration(queue)));
      return;
    } catch (error) {
      if (attempt >= TRANSIENT_DECLARE_TRIES || !(error instanceof Error) || !TRANSIENT_DECLARE.test(error.message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function assertOnThrowawayChannels(channels: ThrowawayChannels, topology: Topology): Promise<AssertTopologyResult> {
  const conflicts: DeclarationConflict[] = [];
  const adoptedQueues: AdoptedQueue[] = [];
  for (const exchange of topology.exchanges) {
    const declaration = exchangeDeclaration(exchange);
    try {
      await channels.run((channel) => channel.assertExchange(exchange.name, declaration.type, declaration));
    } catch (error) {
      if (!isBrokerChannelError(error)) throw error;
      conflicts.push(explain(await inspectExchange(channels, exchange), exchange, error));
    }
  }
  for (const queue of topology.queues) {
    try {
      await declareQueue(channels, queue);
    } catch (error) {
      if (!isBrokerChannelError(error)) throw error;
      const inspection = await inspectQueue(channels, queue);
      if (queue.origin === 'default' && inspection.status === 'differs') {
        adoptedQueues.push({ name: queue.name, differences: inspection.differences, description: describeAdoptedQueue(inspection, queue) });
      } else {
        conflicts.push(explain(inspection, queue, error));
      }
    }
  }
  for (const binding of topology.bindings) {
    try {
      await channels.run((channel) => channel.bindQueue(binding.queue, binding.exchange, binding.routingKey));
    } catch (error) {
      if (!isBrokerChannelError(error)) throw error;
      conflicts.push(failure('binding', bindingName(binding), error));
    }
  }
  if (conflicts.length > 0) throw new TopologyDriftError(conflicts);
  adoptedQueues.forEach(warnOnce);
  return { adoptedQueues };
}

/** Without a way to open other channels: declare on `channel`; the first 406 closes it and becomes a TopologyDriftError. */
async function assertOnChannel(channel: Channel, topology: Topology): Promise<AssertTopologyResult> {
  const ignore = (): void => {};
  channel.on('error', ignore);
  const attempt = async (
    kind: DeclarationConflict['kind'],
    name: string,
    declared: { spec: ExchangeSpec | QueueSpec; declaration: QueueDeclaration | ExchangeDeclaration } | undefined,
    run: () => Promise<unknown>,
  ): Promise<void> => {
    try {
      await run();
    } catch (error) {
      if (!isBrokerChannelError(error)) throw error;
      const inequivalent = parseInequivalentArgument(error);
      if (!declared || kind === 'binding' || !inequivalent) throw new TopologyDriftError([failure(kind, name, error)]);
      const { spec, declaration } = declared;
      const expected = declaredValue(declaration, inequivalent.argument);
      const actual = brokerValueToJs(inequivalent.current, expected);
      const difference: ArgumentDifference = {
        argument: inequivalent.argument,
        expected,
        actual: actual === UNREADABLE ? brokerReplyText(error) : actual,
      };
      const inspection: Inspection = { kind, name, status: 'differs', differences: [difference] };
      const description = `${describeDifferences(inspection, spec)} (the broker reported the first difference only). ${migrationAdvice(inspection, spec)}`;
      throw new TopologyDriftError([{ kind, name, differences: [difference], description }]);
    }
  };
  try {
    for (const exchange of topology.exchanges) {
      const declaration = exchangeDeclaration(exchange);
      await attempt('exchange', exchange.name, { spec: exchange, declaration }, () => channel.assertExchange(exchange.name, declaration.type, declaration));
    }
    for (const queue of topology.queues) {
      const declaration = queueDeclaration(queue);
      await attempt('queue', queue.name, { spec: queue, declaration }, () => channel.assertQueue(queue.name, declaration));
    }
    for (const binding of topology.bindings) {
      await attempt('binding', bindingName(binding), undefined, () => channel.bindQueue(binding.queue, binding.exchange, binding.routingKey));
    }
  } finally {
    channel.removeListener('error', ignore);
  }
  return { adoptedQueues: [] };
}

/**
 * Declare every exchange, then every queue, then every binding; idempotent. Meant for
 * amqp-connection-manager setup functions, so it re-runs on every reconnect.
 *
 * Declarations run on short-lived channels of `channel`'s connection (see options.connection),
 * never on `channel` itself: a declaration that differs from the broker's (406) closes only a
 * throwaway channel. Then:
 * - a queue that is not in any topology file (added by `ensureQueue`) and exists with other
 *   arguments is used as it is (logged once, listed in `adoptedQueues`);
 * - anything else that could not be declared is collected, with what differs, and thrown as one
 *   TopologyDriftError (a TopologyError) that points to `warren topology verify`. It is not retried
 *   here, but for a queue "down or inaccessible" for a moment (see declareQueue).
 * When no other channel can be opened, declarations run on `channel` and the first 406 closes it.
 */
export async function assertTopology(channel: Channel, topology: Topology, options: AssertTopologyOptions = {}): Promise<AssertTopologyResult> {
  const connection = options.connection ?? connectionOfChannel(channel);
  if (!connection) return assertOnChannel(channel, topology);
  const channels = new ThrowawayChannels(connection);
  try {
    return await assertOnThrowawayChannels(channels, topology);
  } finally {
    await channels.close();
  }
}
