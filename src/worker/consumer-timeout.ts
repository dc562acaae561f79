import { DEFAULTS } from '../config/defaults.js';
import type { JobRegistry } from '../job/registry.js';
import type { Topology } from '../topology/index.js';

/**
 * Start-up warnings for jobs whose own timeout is longer than the broker's consumer
 * timeout on a consumed queue: such a job, when it runs that long, makes the broker close
 * the channel and requeue every unacked delivery on it (duplicates, never loss).
 */
export function consumerTimeoutWarnings(registry: JobRegistry, topology: Topology, queues: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const descriptor of registry.descriptors()) {
    if (descriptor.timeoutMs === undefined) continue;
    for (const queue of queues) {
      const spec = topology.queues.find((candidate) => candidate.name === queue);
      const limit = spec?.consumerTimeoutMs ?? DEFAULTS.amqp.brokerConsumerTimeoutMs;
      if (descriptor.timeoutMs > limit) {
        warnings.push(
          `job ${descriptor.name} has a timeout of ${descriptor.timeoutMs} ms, longer than the consumer timeout of queue "${queue}" ` +
            `(${limit} ms${spec?.consumerTimeoutMs === undefined ? ', the broker default' : ''}): if it runs that long the broker ` +
            'closes the channel and redelivers its jobs. Lower the job timeout or raise consumerTimeout on the queue in the topology file ' +
            '(x-consumer-timeout; RabbitMQ below 3.12 ignores the per-queue value and applies the broker-wide consumer_timeout, 30 minutes by default).',
        );
      }
    }
  }
  return warnings;
}
