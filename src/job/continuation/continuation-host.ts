import type { QueueAdapter } from '../../adapters/adapter.js';
import type { WireContinuation } from '../../envelope/envelope.js';
import type { InterruptReason } from '../../errors.js';

/** A continuable job's progress as a checkpoint holds it: the envelope's two keys. */
export interface SavedProgress {
  continuation: WireContinuation;
  resumptions: number;
}

/**
 * What a continuable job asks of whoever delivered it (the worker, for a job from RabbitMQ):
 * whether to stop at this checkpoint, and where to keep its progress while it runs so a crash
 * does not send it back to the start. The in-process adapters have none: their jobs never stop
 * at a checkpoint and keep no progress outside the envelope.
 */
export interface ContinuationHost {
  /** Why the job should stop now (the worker is stopping, the consumer timeout is near), or undefined. */
  interruptReason(): InterruptReason | undefined;
  /** Calls `listener` once, when the job is first asked to stop; returns what removes it. */
  onInterrupt(listener: (reason: InterruptReason) => void): () => void;
  /** Progress saved by an earlier run of this same message that did not finish (a crash), if any. */
  loadCheckpoint(): Promise<SavedProgress | undefined>;
  /** Keeps `progress` for a crash: resolves once it is stored (never rejects: a failed save is logged). */
  saveCheckpoint(progress: SavedProgress): Promise<void>;
  /** Forgets what saveCheckpoint stored: the message was settled (never rejects). */
  discardCheckpoint(): void;
  /** The shortest time between two saves: checkpoints in between only check for a stop. */
  readonly checkpointIntervalMs: number;
  /** For log lines: the consumer timeout and margin behind `consumer-timeout`, in ms. */
  readonly deadline?: { consumerTimeoutMs: number; interruptAfterMs: number } | undefined;
}

/** An adapter that can host continuable jobs (the worker's per-delivery adapter). */
export interface ContinuationHostProvider {
  continuationHost(): ContinuationHost | undefined;
}

/** The host behind the adapter that delivered a job, if it has one. */
export function continuationHostOf(adapter: QueueAdapter | undefined): ContinuationHost | undefined {
  const provider = adapter as Partial<ContinuationHostProvider> | undefined;
  return typeof provider?.continuationHost === 'function' ? provider.continuationHost() : undefined;
}
