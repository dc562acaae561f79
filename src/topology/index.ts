// STUB: the topology helper owns and replaces this folder; keep these exported signatures
// (the AMQP adapter and worker build on them). Types may grow; do not remove fields.
import type { Channel } from 'amqplib';

export type QueueType = 'classic' | 'quorum';

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'topic' | 'fanout' | 'headers';
  durable: boolean;
  arguments: Record<string, unknown>;
}

export interface QueueSpec {
  name: string;
  type: QueueType;
  durable: boolean;
  maxPriority: number | undefined;
  messageTtlMs: number | undefined;
  deadLetterExchange: string | undefined;
  deadLetterRoutingKey: string | undefined;
  consumerTimeoutMs: number | undefined;
  deliveryLimit: number | undefined;
  /** Other x-arguments, passed through verbatim. */
  arguments: Record<string, unknown>;
}

export interface BindingSpec {
  exchange: string;
  queue: string;
  routingKey: string;
}

export interface RouteSpec {
  exchange: string;
  routingKey: string;
}

export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
  /** Job class (or handler) name -> route, and queue name -> route. */
  routes: { jobs: Record<string, RouteSpec>; queues: Record<string, RouteSpec> };
  /** The exchange jobs of unlisted queues are published to (routing key = queue name). */
  defaultExchange: string;
}

/** Read, merge and validate topology files (YAML or JSON). Throws TopologyError naming file, key and value. */
export async function loadTopology(_files: readonly string[]): Promise<Topology> {
  throw new Error('not implemented');
}

/** The topology used with no file: one durable direct exchange, and a durable classic queue per name bound by its name. */
export function defaultTopology(_queueNames: readonly string[] = []): Topology {
  throw new Error('not implemented');
}

/** Make sure queue `name` is declared (adds a default queue + binding if the topology does not list it). */
export function ensureQueue(_topology: Topology, _name: string): Topology {
  throw new Error('not implemented');
}

/** Where a job goes: job route, then queue route, then default exchange with routing key = queue name. */
export function resolveRoute(_topology: Topology, _queueName: string, _jobClass?: string): RouteSpec {
  throw new Error('not implemented');
}

/** Declare every exchange, queue and binding; idempotent. Called in channel setup, so re-run on every reconnect. */
export async function assertTopology(_channel: Channel, _topology: Topology): Promise<void> {
  throw new Error('not implemented');
}
