import { createHash } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { redactError } from '../support/redact.js';
import type { AmqpConnection } from './connection.js';
import { SideChannel } from './side-channel.js';
import type { EnvelopeSigner } from './signing.js';

/**
 * Crash checkpoints of continuable jobs, kept on the broker: one small durable queue per message
 * being performed (`warren.checkpoint.<job id>.<executions>`), holding at most one message, the
 * latest progress (`x-max-length: 1` drops the older one). Only a delivery the broker marks
 * `redelivered` (its worker died or its channel closed) reads it; a settled delivery deletes
 * it; one nobody touches expires (x-expires). Keyed by the envelope's executions too, so the
 * checkpoint of one message is never read by the continuation or retry published after it.
 *
 * Every operation is bounded by DEFAULTS.continuation.checkpointTimeoutMs and never rejects: a
 * checkpoint that cannot be saved or read costs repeated work after a crash, never the job.
 */
export class CheckpointQueues {
  private readonly channel: SideChannel;

  constructor(
    connection: AmqpConnection,
    private readonly options: { logger: Logger; signer?: EnvelopeSigner | undefined; expiresMs?: number; timeoutMs?: number },
  ) {
    this.channel = new SideChannel(connection, {
      waitMs: options.timeoutMs ?? DEFAULTS.continuation.checkpointTimeoutMs,
      onError: (error) => options.logger.warn({ err: redactError(error) }, 'checkpoint channel error'),
    });
  }

  /** The queue of the message `jobId` as delivered with `executions` (the envelope's count). */
  static queueName(jobId: string, executions: number): string {
    const prefix = DEFAULTS.continuation.checkpointQueuePrefix;
    // Queue names are at most 255 bytes: a long (or non-ASCII) job id is hashed.
    const id = /^[A-Za-z0-9._:-]{1,200}$/.test(jobId) ? jobId : createHash('sha256').update(jobId).digest('hex');
    return `${prefix}.${id}.${executions}`;
  }

  /** Stores `body` as the queue's one message (persistent, confirmed). False when that failed (logged). */
  async save(queue: string, body: Buffer): Promise<boolean> {
    return this.bounded(`save the checkpoint in ${queue}`, false, async (channel) => {
      await this.channel.assertQueue(channel, queue, this.queueOptions());
      const headers = this.options.signer ? this.options.signer.headersFor(body) : {};
      await new Promise<void>((resolve, reject) =>
        channel.publish('', queue, body, { persistent: true, contentType: 'application/json', headers }, (error: unknown) =>
          error ? reject(error) : resolve(),
        ),
      );
      return true;
    });
  }

  /** The queue's message, left in place; undefined when there is none (or it is not validly signed). */
  async load(queue: string): Promise<Buffer | undefined> {
    return this.bounded(`read the checkpoint in ${queue}`, undefined, async (channel) => {
      await channel.assertQueue(queue, this.queueOptions());
      const message = await channel.get(queue, { noAck: false });
      if (message === false) return undefined;
      channel.nack(message, false, true);
      const { signer } = this.options;
      if (signer?.required) {
        const check = signer.check(message.content, message.properties.headers);
        if (!check.ok) {
          this.options.logger.warn({ queue, reason: check.reason }, 'a checkpoint without a valid signature is ignored');
          return undefined;
        }
      }
      return message.content;
    });
  }

  /** Deletes the queue (fire and forget: one left behind expires). */
  discard(queue: string): void {
    this.channel.forget(queue);
    void this.bounded(`delete the checkpoint queue ${queue}`, undefined, (channel) => channel.deleteQueue(queue).then(() => undefined));
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  private queueOptions() {
    return {
      durable: true,
      arguments: { 'x-max-length': 1, 'x-expires': this.options.expiresMs ?? DEFAULTS.continuation.checkpointQueueExpiresMs, 'x-queue-type': 'classic' },
    };
  }

  private async bounded<T>(what: string, fallback: T, operation: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULTS.continuation.checkpointTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([this.channel.get().then(operation), gaveUp]);
      if (result === 'timeout') {
        this.options.logger.warn({ timeout_ms: timeoutMs }, `could not ${what} in time; the job goes on`);
        return fallback;
      }
      return result;
    } catch (error) {
      this.options.logger.warn({ err: redactError(error) }, `could not ${what}; the job goes on`);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
}
