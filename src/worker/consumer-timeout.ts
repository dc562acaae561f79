import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { Topology } from '../topology/index.js';
import type { ContinuationOptions } from './worker-options.js';

/** The consumer timeout of `queue`: its topology entry's, else the worker's setting, else RabbitMQ's default. */
export function consumerTimeoutOf(topology: Topology, queue: string, options: ContinuationOptions = {}): { ms: number; fromTopology: boolean } {
  const spec = topology.queues.find((candidate) => candidate.name === queue);
  if (spec?.consumerTimeoutMs !== undefined) return { ms: spec.consumerTimeoutMs, fromTopology: true };
  return { ms: options.consumerTimeoutMs ?? DEFAULTS.amqp.brokerConsumerTimeoutMs, fromTopology: false };
}

/**
 * How long into a delivery from `queue` a continuable job is asked to stop: the consumer timeout
 * less a margin (the worker's, else the smaller of DEFAULTS.continuation.interruptMarginMs and a
 * fifth of the timeout), so it has time to reach a checkpoint and publish its continuation.
 */
export function interruptDeadline(
  topology: Topology,
  queue: string,
  options: ContinuationOptions = {},
): { consumerTimeoutMs: number; interruptAfterMs: number } {
  const timeout = consumerTimeoutOf(topology, queue, options).ms;
  const { interruptMarginMs, interruptMarginMaxFraction } = DEFAULTS.continuation;
  const margin = options.interruptMarginMs ?? Math.min(interruptMarginMs, Math.floor(timeout * interruptMarginMaxFraction));
  return { consumerTimeoutMs: timeout, interruptAfterMs: Math.max(0, timeout - margin) };
}

/** ConfigurationError for continuation options that cannot work. */
export function validateContinuationOptions(options: ContinuationOptions | undefined): void {
  if (!options) return;
  for (const key of ['consumerTimeoutMs', 'interruptMarginMs', 'checkpointIntervalMs'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new ConfigurationError(`continuation.${key} must be a whole number of milliseconds, 0 or more (got ${String(value)})`);
    }
  }
}

/**
 * Start-up warnings for jobs whose own timeout is longer than the broker's consumer
 * timeout on a consumed queue: such a job, when it runs that long, makes the broker close
 * the channel and requeue every unacked delivery on it (duplicates, never loss). A
 * continuable job (one that uses `this.step`) is asked to stop before, at a checkpoint.
 */
export function consumerTimeoutWarnings(registry: JobRegistry, topology: Topology, queues: readonly string[], options: ContinuationOptions = {}): string[] {
  const warnings: string[] = [];
  for (const descriptor of registry.descriptors()) {
    if (descriptor.timeoutMs === undefined) continue;
    for (const queue of queues) {
      const limit = consumerTimeoutOf(topology, queue, options);
      if (descriptor.timeoutMs > limit.ms) {
        warnings.push(
          `job ${descriptor.name} has a timeout of ${descriptor.timeoutMs} ms, longer than the consumer timeout of queue "${queue}" ` +
            `(${limit.ms} ms${limit.fromTopology ? '' : options.consumerTimeoutMs === undefined ? ', the broker default' : ', the worker setting'}): if it runs that long ` +
            'the broker closes the channel and redelivers its jobs. Split it into steps (this.step: it is then stopped at a checkpoint before the timeout ' +
            'and goes on in a new delivery), lower the job timeout, or raise consumerTimeout on the queue in the topology file ' +
            '(x-consumer-timeout; RabbitMQ below 3.12 ignores the per-queue value and applies the broker-wide consumer_timeout, 30 minutes by default).',
        );
      }
    }
  }
  return warnings;
}
