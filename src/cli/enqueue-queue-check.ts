import { isBrokerChannelError, NOT_FOUND } from '../amqp/topology/broker-errors.js';
import { openBroker } from '../amqp/topology/broker.js';
import { UsageError } from './exit-codes.js';

export interface EnqueueQueueCheck {
  /** The queue the job will be published for. */
  queue: string;
  /** A topology file or a registered job class declares the queue: creating it on first use is expected. */
  declared: boolean;
  /** `--create-queue`: the user means a queue that does not exist yet. */
  createQueue: boolean;
  url: string;
  socketOptions: Record<string, unknown>;
}

/**
 * Before `warren enqueue` publishes, asks the broker about the target queue (a passive declare,
 * which creates nothing):
 * - missing, and nothing declares it: refused (UsageError, exit 2). The adapter would create it
 *   on first use, and a typo in `--queue` would leave the job in a queue nobody consumes.
 *   `--create-queue` allows it.
 * - present without a consumer: a warning, returned for stderr (the job waits until a worker comes).
 * A broker that cannot be reached is not this check's to report: the publish that follows
 * reports it (with its own retries and redaction), so the check is skipped.
 */
export async function checkEnqueueQueue(check: EnqueueQueueCheck): Promise<string | undefined> {
  let broker: Awaited<ReturnType<typeof openBroker>>;
  try {
    broker = await openBroker(check.url, { socketOptions: check.socketOptions });
  } catch {
    return undefined;
  }
  try {
    const channel = await broker.connection.createChannel();
    channel.on('error', () => {});
    try {
      const { consumerCount } = await channel.checkQueue(check.queue);
      await channel.close().catch(() => {});
      if (consumerCount > 0) return undefined;
      return `warning: queue "${check.queue}" has no consumer right now: the job waits there until a worker consumes it (warren worker --queue ${check.queue})`;
    } catch (error) {
      if (!isBrokerChannelError(error) || error.code !== NOT_FOUND) return undefined;
      if (check.declared || check.createQueue) return undefined;
      throw new UsageError(
        `queue "${check.queue}" does not exist on the broker and neither a topology file nor a registered job declares it: ` +
          'a job published there would wait for a worker that never comes. Check the name (a typo?), ' +
          'or pass --create-queue to create it and enqueue anyway.',
      );
    }
  } finally {
    await broker.close();
  }
}
