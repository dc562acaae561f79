import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapters/adapter.js';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import type { Envelope } from '../envelope/envelope.js';
import { EnqueueError } from '../errors.js';
import type { UniqueLocks } from '../job/unique-job.js';

/**
 * The adapter a schedule's tick job is enqueued through: the job goes into its queue with a copy
 * in the schedule's record queue, in one publish (AmqpAdapter.enqueueWithCopy). The job's enqueue
 * callbacks and unique lock run as for any performLater. A tick is never delayed: it is enqueued
 * at its time.
 */
export class TickAdapter implements QueueAdapter {
  readonly name: string;
  readonly supportsDelays = false;
  /** True once the job was published (false when a callback halted the enqueue or a unique lock refused it). */
  published = false;

  constructor(
    private readonly inner: AmqpAdapter,
    private readonly recordQueue: string,
    private readonly headers: Record<string, string | number>,
  ) {
    this.name = inner.name;
  }

  /** The worker adapter's unique-job locks: a tick of a unique job class takes its lock as any enqueue does. */
  get uniqueLocks(): UniqueLocks {
    return this.inner.uniqueLocks;
  }

  async enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    const receipt = await this.inner.enqueueWithCopy(envelope, this.recordQueue, this.headers);
    this.published = true;
    return receipt;
  }

  enqueueAt(): Promise<EnqueueReceipt> {
    return Promise.reject(new EnqueueError('a schedule tick is enqueued at its time, not delayed (set no wait in its callbacks)'));
  }

  enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    return Promise.resolve(items.map(() => ({ ok: false as const, error: new EnqueueError('a schedule tick is one job') })));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
