import type { Topology } from '../topology/index.js';

/**
 * Start-up warnings for consumed quorum queues without the safety nets warren relies on:
 * - no `deliveryLimit`: a job that crashes its worker every time is redelivered forever on
 *   RabbitMQ 3.x (4.x applies a default limit of 20);
 * - no dead-letter exchange: a message over the delivery limit is dropped by the broker.
 * Suggested settings (at-least-once dead-lettering into warren's dead-letter queue through
 * the AMQP default exchange):
 * `deliveryLimit: 10, deadLetterExchange: '', deadLetterRoutingKey: warren.dead,
 *  arguments: { x-dead-letter-strategy: at-least-once, x-overflow: reject-publish }`.
 */
export function quorumQueueWarnings(topology: Topology, queues: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const queue of topology.queues) {
    if (queue.type !== 'quorum' || !queues.includes(queue.name)) continue;
    if (queue.deliveryLimit === undefined) {
      warnings.push(
        `quorum queue "${queue.name}" has no deliveryLimit: a job that kills its worker is redelivered without end on RabbitMQ 3.x; set deliveryLimit (for example 10) and a dead-letter exchange`,
      );
    }
    if (queue.deadLetterExchange === undefined) {
      warnings.push(
        `quorum queue "${queue.name}" has no dead-letter exchange: a message over its delivery limit (20 by default on RabbitMQ 4.x) is dropped; set deadLetterExchange: '' and deadLetterRoutingKey to the dead-letter queue, with arguments x-dead-letter-strategy: at-least-once and x-overflow: reject-publish`,
      );
    }
  }
  return warnings;
}
