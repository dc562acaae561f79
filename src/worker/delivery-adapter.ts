import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapters/adapter.js';
import type { Envelope } from '../envelope/envelope.js';
import { EnqueueError } from '../errors.js';
import type { ContinuationHost, ContinuationHostProvider } from '../job/continuation/continuation-host.js';
import type { UniqueLocks } from '../job/unique-job.js';
import { DeliveryContinuationHost, type ContinuationSupport } from './continuation-host.js';
import type { Delivery } from './delivery.js';

/**
 * The adapter one delivery's retries go through. It remembers whether an enqueue failed
 * (then the delivery is requeued instead of dead-lettered: the job is not at fault), and
 * refuses enqueues once shutdown abandoned the delivery (the broker redelivers it, so a
 * retry would duplicate it).
 */
export class DeliveryAdapter implements QueueAdapter, ContinuationHostProvider {
  readonly name: string;
  readonly supportsDelays: boolean;
  /** The first enqueue failure, if any. */
  failure: Error | undefined;
  private host: DeliveryContinuationHost | undefined;
  /** When the delivery began to be performed (performance.now()): the consumer-timeout clock of a continuable job. */
  private readonly receivedAt: number;

  constructor(
    private readonly inner: QueueAdapter,
    private readonly abandoned: () => boolean,
    /** The worker's continuation support and the delivery, for a continuable job's host (built on first use). */
    private readonly continuations?: ContinuationSupport | undefined,
    private readonly delivery?: Delivery | undefined,
    private readonly envelope?: Envelope | undefined,
  ) {
    this.name = inner.name;
    this.supportsDelays = inner.supportsDelays;
    this.receivedAt = continuations ? performance.now() : 0;
  }

  /** The unique-job locks of the worker's adapter (a unique job's lock is freed through them). */
  get uniqueLocks(): UniqueLocks | undefined {
    return (this.inner as { uniqueLocks?: UniqueLocks }).uniqueLocks;
  }

  /** The delivery's ContinuationHost: asked for by a continuable job's first step. */
  continuationHost(): ContinuationHost | undefined {
    if (!this.host && this.continuations && this.delivery && this.envelope) {
      const { queue, message } = this.delivery;
      this.host = new DeliveryContinuationHost(this.continuations, this.envelope, queue, message.fields.redelivered, this.receivedAt);
    }
    return this.host;
  }

  enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    return this.guard(() => this.inner.enqueue(envelope));
  }

  enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    return this.guard(() => this.inner.enqueueAt(envelope, timestamp));
  }

  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    if (this.abandoned()) return items.map(() => ({ ok: false as const, error: this.shutdownError() }));
    return this.inner.enqueueAll(items);
  }

  /** The worker's adapter outlives this delivery; closing it here would be a mistake. */
  async close(): Promise<void> {}

  private async guard<T>(enqueue: () => Promise<T>): Promise<T> {
    if (this.abandoned()) throw this.remember(this.shutdownError());
    try {
      return await enqueue();
    } catch (error) {
      throw this.remember(error instanceof Error ? error : new EnqueueError(String(error)));
    }
  }

  private remember(error: Error): Error {
    this.failure ??= error;
    return error;
  }

  private shutdownError(): EnqueueError {
    return new EnqueueError('the worker is shutting down and this delivery will be redelivered: no retry is enqueued');
  }
}
