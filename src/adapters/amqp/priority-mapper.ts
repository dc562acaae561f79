import type { Logger } from 'pino';
import type { Envelope } from '../../envelope/envelope.js';
import { queueMaxPriority, toBrokerPriority, type Topology } from '../../topology/index.js';

/**
 * Turns a job's Active Job priority (lower = more important) into a broker priority
 * (higher = delivered first) for queues that declare a max priority, using the topology's
 * mapping (`toBrokerPriority`: a job without a priority sits in the middle). A priority on
 * a job whose queue has no max priority is ignored, with one warning per queue.
 */
export class PriorityMapper {
  private readonly warnedQueues = new Set<string>();

  constructor(private readonly logger: Logger) {}

  brokerPriority(topology: Topology, envelope: Envelope): number | undefined {
    const maxPriority = queueMaxPriority(topology, envelope.queue_name);
    if (maxPriority !== undefined) return toBrokerPriority(envelope.priority, maxPriority);
    if (envelope.priority !== null && envelope.priority !== undefined && !this.warnedQueues.has(envelope.queue_name)) {
      this.warnedQueues.add(envelope.queue_name);
      this.logger.warn(
        { queue: envelope.queue_name, jobClass: envelope.job_class, priority: envelope.priority },
        'job priority ignored: its queue has no max priority in this topology (declare maxPriority on the queue, and load the same topology file where jobs are enqueued)',
      );
    }
    return undefined;
  }
}
