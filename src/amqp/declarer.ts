import type { Channel, ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { EnqueueError, TopologyError } from '../errors.js';
import { ensureQueue, type QueueSpec, type Topology } from '../topology/index.js';
import { assertTopology, withAdoptedQueues, type AssertTopologyResult } from './topology/index.js';
import type { AmqpConnection } from './connection.js';
import { redactError } from '../support/redact.js';

/** The parts of `next` that `previous` does not have. */
function topologyDelta(previous: Topology, next: Topology): Topology {
  const exchanges = new Set(previous.exchanges.map((exchange) => exchange.name));
  const queues = new Set(previous.queues.map((queue) => queue.name));
  const bindingKey = (b: { exchange: string; queue: string; routingKey: string }): string => JSON.stringify([b.exchange, b.queue, b.routingKey]);
  const bindings = new Set(previous.bindings.map(bindingKey));
  return {
    ...next,
    exchanges: next.exchanges.filter((exchange) => !exchanges.has(exchange.name)),
    queues: next.queues.filter((queue) => !queues.has(queue.name)),
    bindings: next.bindings.filter((binding) => !bindings.has(bindingKey(binding))),
  };
}

function isEmpty(delta: Topology): boolean {
  return delta.exchanges.length === 0 && delta.queues.length === 0 && delta.bindings.length === 0;
}

interface GeneratedQueue {
  spec: QueueSpec;
  /** When the broker last confirmed the declaration; 0: not (yet) declared on this connection. */
  declaredAt: number;
  /** The declaration in progress, if any. */
  pending: Promise<void> | undefined;
}

/**
 * Keeps one connection's view of the topology declared on the broker.
 *
 * - The configured topology (files, or the default) is asserted on every new channel
 *   (assertTopology runs the declarations on throwaway channels of the same connection):
 *   a difference from what the broker has is a TopologyError to fix with
 *   `warren topology verify`, never retried in a tight loop.
 * - A queue the topology does not list (a plain `queueAs('mailers')` with no file) is
 *   added with the topology's defaults (`ensureQueue`) and declared on first use; a queue
 *   that already exists with other arguments is used as it is (assertTopology adopts it).
 *   Added queues are declared again on every reconnect.
 */
export class TopologyDeclarer {
  private current: Topology;
  private readonly ensured = new Map<string, Promise<void>>();
  /** Queues whose ensure() resolved: publishes to them need not wait for anything. */
  private readonly declared = new Set<string>();
  private readonly implicit = new Map<string, Topology>();
  /** Generated queues (delay queues) and when they were last declared. */
  private readonly generated = new Map<string, GeneratedQueue>();
  /** The channel of the last setup; assertTopology needs one, the declarations run on siblings. */
  private channel: Channel | undefined;
  /** Waiting for the next channel setup (queues asked for before the connection was up). */
  private setupWaiters: Array<() => void> = [];

  /**
   * @param extend applied to the topology after a queue is added on first use, so that what
   *   the delay mechanism declares for every queue (its delivery binding) covers the new one.
   *   Default: nothing added.
   */
  constructor(
    private readonly base: Topology,
    private readonly connection: AmqpConnection,
    private readonly logger: Logger,
    private readonly extend: (topology: Topology) => Topology = (topology) => topology,
  ) {
    this.current = base;
  }

  /** The topology including the queues added by `ensure`. */
  get topology(): Topology {
    return this.current;
  }

  /** Channel setup: the configured topology, then every implicitly added queue. Re-run on each reconnect. */
  async declareAll(channel: Channel): Promise<void> {
    this.channel = channel;
    try {
      await this.declareAndAdopt(channel, this.base);
    } catch (error) {
      this.releaseSetupWaiters();
      throw error;
    }
    for (const [queueName, delta] of this.implicit) {
      try {
        await this.declareImplicit(delta);
      } catch (error) {
        this.logger.error({ err: redactError(error), queue: queueName }, 'cannot declare queue');
      }
    }
    // Generated queues asked for while disconnected: declare them before buffered publishes go out.
    for (const entry of this.generated.values()) {
      if (entry.declaredAt !== 0) continue;
      try {
        await this.declareImplicit({ ...this.base, exchanges: [], queues: [entry.spec], bindings: [] });
        entry.declaredAt = Date.now();
      } catch (error) {
        this.logger.error({ err: redactError(error), queue: entry.spec.name }, 'cannot declare queue');
      }
    }
    this.releaseSetupWaiters();
  }

  /**
   * Declares `topology` and records what the broker really has for queues it adopted (an
   * existing queue warren uses as it is): its max priority is what job priorities map against.
   */
  private async declareAndAdopt(channel: Channel, topology: Topology): Promise<AssertTopologyResult> {
    const result = await assertTopology(channel, topology, this.assertOptions());
    this.current = withAdoptedQueues(this.current, result.adoptedQueues);
    return result;
  }

  private releaseSetupWaiters(): void {
    const waiters = this.setupWaiters;
    this.setupWaiters = [];
    for (const release of waiters) release();
  }

  /**
   * Resolves after the next channel setup ran (so queues added meanwhile are declared, and any
   * adoption is known), or as soon as a connection attempt fails or drops: a publish must not wait here
   * for a broker that is down (the publisher's own timeout applies to it).
   */
  private nextSetupOrFailure(): Promise<void> {
    return new Promise<void>((resolve) => {
      const onFailed = (): void => done();
      const done = (): void => {
        this.connection.events.off('connection:failed', onFailed);
        this.connection.events.off('connection:disconnect', onFailed);
        resolve();
      };
      this.connection.events.on('connection:failed', onFailed);
      this.connection.events.on('connection:disconnect', onFailed);
      this.setupWaiters.push(done);
    });
  }

  /**
   * Makes sure `queueName` can receive jobs. Declares it now when connected; otherwise
   * the next channel setup declares it before anything is published.
   */
  ensure(queueName: string): Promise<void> {
    let pending = this.ensured.get(queueName);
    if (!pending) {
      pending = this.add(queueName);
      this.ensured.set(queueName, pending);
      pending.then(
        () => this.declared.add(queueName),
        () => this.ensured.delete(queueName),
      );
    }
    return pending;
  }

  /** True once ensure(queueName) resolved: the hot path of publishing skips the await. */
  isEnsured(queueName: string): boolean {
    return this.declared.has(queueName);
  }

  private async add(queueName: string): Promise<void> {
    let delta = this.implicit.get(queueName);
    if (!delta) {
      const next = this.extend(ensureQueue(this.current, queueName));
      delta = topologyDelta(this.current, next);
      this.current = next;
      if (isEmpty(delta)) return;
      this.implicit.set(queueName, delta);
    }
    try {
      // Not connected yet: the next setup declares it; wait for that, so the job's priority is mapped against what the broker has.
      if (!(await this.declareImplicit(delta))) await this.nextSetupOrFailure();
    } catch (error) {
      // A lost connection is no verdict: the next channel setup declares the queue.
      if (!(error instanceof TopologyError) && typeof (error as { code?: unknown }).code !== 'number') return;
      const safe = redactError(error);
      throw new EnqueueError(`cannot declare queue "${queueName}" on the broker: ${safe.message}`, { cause: safe });
    }
  }

  /**
   * Declares `queueName` again, as the topology says, with the bindings that lead to it: for a
   * queue of the topology that someone deleted from the broker while warren ran (the dead-letter
   * queue). False when the topology does not know it or there is no connection.
   */
  async redeclare(queueName: string): Promise<boolean> {
    const spec = this.current.queues.find((queue) => queue.name === queueName);
    if (!spec) return false;
    const bindings = this.current.bindings.filter((binding) => binding.queue === queueName);
    return this.declareImplicit({ ...this.base, exchanges: [], queues: [spec], bindings });
  }

  /**
   * Declares generated queues (for example delay queues) that are not part of the topology,
   * at most once per `refreshMs` each: declaring a queue again resets its x-expires.
   */
  async ensureGenerated(specs: readonly QueueSpec[], refreshMs = Number.POSITIVE_INFINITY): Promise<void> {
    await Promise.all(specs.map((spec) => this.ensureOneGenerated(spec, refreshMs)));
  }

  private ensureOneGenerated(spec: QueueSpec, refreshMs: number): Promise<void> {
    let entry = this.generated.get(spec.name);
    if (entry?.pending) return entry.pending;
    if (entry && entry.declaredAt !== 0 && Date.now() - entry.declaredAt < refreshMs) return Promise.resolve();
    if (!entry) {
      entry = { spec, declaredAt: 0, pending: undefined };
      this.generated.set(spec.name, entry);
    }
    const current = entry;
    current.pending = this.declareImplicit({ ...this.base, exchanges: [], queues: [spec], bindings: [] })
      .then(
        (declared) => {
          // Not connected: the next channel setup declares it (declaredAt stays 0).
          current.declaredAt = declared ? Date.now() : 0;
        },
        (error: unknown) => {
          current.declaredAt = 0;
          if (!(error instanceof TopologyError) && typeof (error as { code?: unknown }).code !== 'number') return;
          const safe = redactError(error);
          throw new EnqueueError(`cannot declare queue "${spec.name}" on the broker: ${safe.message}`, { cause: safe });
        },
      )
      .finally(() => {
        current.pending = undefined;
      });
    return current.pending;
  }

  /** False when not connected (the next setup declares it). */
  private async declareImplicit(delta: Topology): Promise<boolean> {
    const channel = this.channel;
    if (!channel || !this.connection.current) return false;
    await this.declareAndAdopt(channel, delta);
    return true;
  }

  private assertOptions(): { connection?: ChannelModel } {
    const connection = this.connection.current;
    return connection ? { connection } : {};
  }
}
