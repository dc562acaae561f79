import type { Logger } from 'pino';
import { CheckpointQueues } from '../amqp/checkpoint-queues.js';
import { readEnvelope } from '../envelope/codecs/envelope-reader.js';
import type { Envelope } from '../envelope/envelope.js';
import { parseJson, stringifyJson } from '../envelope/lossless-json.js';
import type { InterruptReason } from '../errors.js';
import type { ContinuationHost, SavedProgress } from '../job/continuation/continuation-host.js';

/** What every delivery's host shares: the worker's stop signal, its checkpoint queues, its timing. */
export interface ContinuationSupport {
  /** Aborted when the worker begins to shut down. */
  stopping: AbortSignal;
  checkpoints: CheckpointQueues;
  checkpointIntervalMs: number;
  /** The consumer timeout of `queue` and how long into a delivery its job is asked to stop. */
  deadlineFor(queue: string): { consumerTimeoutMs: number; interruptAfterMs: number };
  logger: Logger;
}

/**
 * The ContinuationHost of one delivery: asks its job to stop when the worker stops or when the
 * delivery has been held `interruptAfterMs` (its queue's consumer timeout less a margin), and
 * keeps its crash checkpoint in the message's checkpoint queue. Built when the job's first step
 * asks for it, so a job without steps costs nothing here.
 */
export class DeliveryContinuationHost implements ContinuationHost {
  private readonly receivedAt: number;
  readonly deadline: { consumerTimeoutMs: number; interruptAfterMs: number };
  readonly checkpointIntervalMs: number;
  private readonly queueName: string;
  /** The checkpoint queue exists because this run saved or read it: delete it when settled. */
  private touched = false;

  constructor(
    private readonly support: ContinuationSupport,
    private readonly envelope: Envelope,
    queue: string,
    private readonly redelivered: boolean,
    receivedAt: number,
  ) {
    this.receivedAt = receivedAt;
    this.deadline = support.deadlineFor(queue);
    this.checkpointIntervalMs = support.checkpointIntervalMs;
    this.queueName = CheckpointQueues.queueName(envelope.job_id, envelope.executions);
  }

  interruptReason(): InterruptReason | undefined {
    if (this.support.stopping.aborted) return 'stopping';
    if (performance.now() - this.receivedAt >= this.deadline.interruptAfterMs) return 'consumer-timeout';
    return undefined;
  }

  onInterrupt(listener: (reason: InterruptReason) => void): () => void {
    const { stopping } = this.support;
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      stopping.removeEventListener('abort', onStopping);
    };
    const fire = (reason: InterruptReason): void => {
      stop();
      listener(reason);
    };
    const onStopping = (): void => fire('stopping');
    if (stopping.aborted) {
      queueMicrotask(onStopping);
      return stop;
    }
    stopping.addEventListener('abort', onStopping, { once: true });
    timer = setTimeout(() => fire('consumer-timeout'), Math.max(0, this.deadline.interruptAfterMs - (performance.now() - this.receivedAt)));
    timer.unref();
    return stop;
  }

  async loadCheckpoint(): Promise<SavedProgress | undefined> {
    // Only a redelivery can have one: a first delivery's message was never performed before.
    if (!this.redelivered) return undefined;
    this.touched = true;
    const body = await this.support.checkpoints.load(this.queueName);
    if (!body) return undefined;
    try {
      const saved = parseJson(body.toString('utf8')) as Record<string, unknown>;
      // The envelope reader checks the two keys exactly as it checks them on a job.
      const checked = readEnvelope({
        job_class: 'checkpoint',
        job_id: this.envelope.job_id,
        queue_name: this.queueName,
        arguments: [],
        enqueued_at: this.envelope.enqueued_at,
        continuation: saved.continuation,
        resumptions: saved.resumptions,
      });
      if (saved.job_id !== this.envelope.job_id || !checked.continuation) throw new Error('it is not a checkpoint of this job');
      return { continuation: checked.continuation, resumptions: checked.resumptions ?? 0 };
    } catch (error) {
      this.support.logger.warn({ queue: this.queueName, err: error }, 'an unreadable checkpoint is ignored; the job resumes from its envelope');
      return undefined;
    }
  }

  async saveCheckpoint(progress: SavedProgress): Promise<void> {
    const body = stringifyJson({
      job_id: this.envelope.job_id,
      executions: this.envelope.executions,
      saved_at: new Date().toISOString(),
      continuation: progress.continuation,
      resumptions: progress.resumptions,
    });
    this.touched = true;
    await this.support.checkpoints.save(this.queueName, Buffer.from(body, 'utf8'));
  }

  discardCheckpoint(): void {
    if (this.touched) this.support.checkpoints.discard(this.queueName);
    this.touched = false;
  }
}
