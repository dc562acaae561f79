import type { Logger } from 'pino';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { describeConnectFailure } from '../amqp/connect-failure.js';
import type { AmqpConnection, ConnectionEvents } from '../amqp/connection.js';
import type { CheckpointQueues } from '../amqp/checkpoint-queues.js';
import type { DelayScheduler } from '../amqp/delay/scheduler.js';
import { RatePermits } from '../amqp/rate-permits.js';
import { SlotLocks } from '../amqp/slot-locks.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConnectionRefusedError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import type { Topology } from '../topology/index.js';
import type { ContinuationSupport } from './continuation-host.js';
import { interruptDeadline } from './consumer-timeout.js';
import { DueForwarder, type DueForwarderOptions } from './due-forwarder.js';
import type { WorkerEvents } from './events.js';
import { FlowGate } from './flow-gate.js';
import type { ContinuationOptions } from './worker-options.js';

// The parts a Worker builds when it starts, each from what it is given (src/worker/worker.ts wires them).

/** Rejects at the first refused login or failed TLS verification of `connection` (see connectFailureKind). */
export function refusedConnection(connection: AmqpConnection): Promise<never> {
  return new Promise<never>((_, reject) => {
    const onFailed = ({ endpoint, error, permanent }: ConnectionEvents['connection:failed']): void => {
      if (!permanent) return;
      connection.events.off('connection:failed', onFailed);
      reject(new ConnectionRefusedError(`the worker cannot start: ${describeConnectFailure(endpoint, error)}`, { cause: error }));
    };
    connection.events.on('connection:failed', onFailed);
  });
}

const CONNECTION_EVENTS = ['connection:connect', 'connection:disconnect', 'connection:failed', 'connection:blocked', 'connection:unblocked'] as const;

/** Re-emits a connection's events as the worker's. */
export function forwardConnectionEvents(source: TypedEmitter<ConnectionEvents>, events: TypedEmitter<WorkerEvents>): void {
  for (const event of CONNECTION_EVENTS) {
    source.on(event, (payload) => events.emit(event, payload as WorkerEvents[typeof event]));
  }
}

/** The gate of per-key concurrency and rate limits, when a registered class declares one (all checked here, at start). */
export function flowGateFor(registry: JobRegistry, connection: AmqpConnection, adapter: AmqpAdapter, logger: Logger): FlowGate | undefined {
  if (!FlowGate.needed(registry)) return undefined;
  return new FlowGate(registry, new SlotLocks(connection), new RatePermits(adapter.publishingConnection(), adapter.publishTimeoutMs), adapter, logger);
}

/** What continuable jobs need: the stop signal, each queue's consumer-timeout deadline (computed once per queue), the checkpoint queues. */
export function continuationSupportFor(
  options: ContinuationOptions | undefined,
  parts: { topology: Topology; stopping: AbortSignal; checkpoints: CheckpointQueues; logger: Logger },
): ContinuationSupport {
  const deadlines = new Map<string, { consumerTimeoutMs: number; interruptAfterMs: number }>();
  return {
    stopping: parts.stopping,
    checkpoints: parts.checkpoints,
    checkpointIntervalMs: options?.checkpointIntervalMs ?? DEFAULTS.continuation.checkpointIntervalMs,
    deadlineFor: (queue) => {
      let deadline = deadlines.get(queue);
      if (!deadline) {
        deadline = interruptDeadline(parts.topology, queue, options ?? {});
        deadlines.set(queue, deadline);
      }
      return deadline;
    },
    logger: parts.logger,
  };
}

/** Moves due jobs from the delay mechanism's due queue into their queues; none for schedulers without one, or with `forwardPrefetch` 0. */
export function dueForwarderFor(
  parts: Omit<DueForwarderOptions, 'queue'> & { delays: DelayScheduler; topology: Topology; connection: AmqpConnection },
): DueForwarder | undefined {
  const { delays, topology, prefetch } = parts;
  const dueQueue = delays.dueQueue;
  const spec = dueQueue === undefined ? undefined : (delays.extendTopology?.(topology) ?? topology).queues.find((queue) => queue.name === dueQueue);
  if (!spec || prefetch === 0) return undefined;
  const { delays: _delays, topology: _topology, connection, ...options } = parts;
  return new DueForwarder(connection, { ...options, queue: spec });
}
