import { inspect, type InspectOptionsStylized } from 'node:util';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { AmqpAdapter } from './amqp-adapter.js';
import { settings } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { AdapterError } from '../../errors.js';
import type { Topology } from '../../topology/index.js';
import { connectFirst } from '../../amqp/connect-first.js';
import { describeAmqpUrls, resolveAmqpUrls, type AmqpConnectionOptions } from '../../amqp/connection.js';
import { immediateOnly } from '../../amqp/delay/scheduler.js';
import { HEADERS } from '../../amqp/message.js';
import { inspectRedacted, redactText } from '../../support/redact.js';
import { republishedHeaders, republishedProperties } from '../../amqp/republish.js';
import { tlsSocketOptions } from '../../amqp/tls.js';
import { DEAD_LETTER_HEADERS, describeDeadLetter, type DeadLetter } from '../../amqp/dead-letters/dead-letter-message.js';

export interface DeadLetterQueueOptions extends AmqpConnectionOptions {
  /** The dead-letter queue. Default: DEFAULTS.amqp.deadLetterQueue. */
  queue?: string;
  /** Routes jobs sent back to their queues (as producers route them). Default: `defaultTopology()`. */
  topology?: Topology;
}

export interface DeadLetterFilter {
  /** Only dead letters whose original queue is this one. Default: all. */
  queue?: string;
}

export interface RetryReport {
  /** Job ids sent back to their queue (publish confirmed, dead letter removed). */
  retried: string[];
  /** Dead letters that matched but could not be sent back (left in the dead-letter queue), with why. */
  failed: Array<{ jobId: string | undefined; error: string }>;
}

/**
 * One reading or change of a dead-letter queue at a time per process and queue: a scan holds
 * the messages it read until it ends, so a discard or purge running beside it (the dashboard's
 * stats sampler beside a click) would miss them. Other processes are not covered: a dead letter
 * another process holds at that instant is skipped (discard says false, purge leaves it).
 */
const queueLocks = new Map<string, Promise<unknown>>();

function exclusively<T>(queue: string, work: () => Promise<T>): Promise<T> {
  const previous = queueLocks.get(queue) ?? Promise.resolve();
  const run = previous.then(work, work);
  const settled = run.then(
    () => {},
    () => {},
  );
  queueLocks.set(queue, settled);
  void settled.then(() => {
    if (queueLocks.get(queue) === settled) queueLocks.delete(queue);
  });
  return run;
}

function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  return filter.queue === undefined || letter.originalQueue === filter.queue;
}

/**
 * The dead-letter queue, for `warren dead list|retry|purge`.
 *
 * Reading never loses a message: messages are taken with basic.get without acknowledging them
 * and all go back to the queue, in their order, when the reading channel closes (a classic
 * queue puts requeued messages back in place). While a listing runs, the messages it holds are
 * invisible to other readers. Sending a job back publishes it to its original queue with
 * confirms, and only then removes its dead letter: a crash between the two leaves a copy in
 * both places, never none.
 *
 * A job sent back is the dead letter's body byte for byte, that is the envelope as it was last
 * delivered: `executions` and `exception_executions` as they were before the execution that
 * failed (the dead letter's `warren-executions` header counts that one). So the job replays
 * its last attempt: a job that exhausted a retryOn rule gets one more execution (like Sidekiq's
 * retry from the Dead set) and comes back here if it fails the same way; enqueue it anew to
 * give it a fresh set of retries. Not re-encoding also means undecodable bodies and jobs of
 * unknown classes can be sent back unchanged once a deploy fixed them. The dead-letter headers
 * and the broker's x-death are removed; its priority is kept.
 */
export class DeadLetterQueue {
  /** What console.log and JSON.stringify show: never the URL's password, TLS secrets or client internals. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectRedacted(this.constructor.name, this.toJSON(), depth, options, inspectValue);
  }

  toJSON(): Record<string, unknown> {
    return { queue: this.queue, endpoint: describeAmqpUrls(this.options.url) };
  }
  readonly queue: string;
  private publisher: AmqpAdapter | undefined;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly options: DeadLetterQueueOptions,
  ) {
    this.queue = options.queue ?? DEFAULTS.amqp.deadLetterQueue;
  }

  static async open(options: DeadLetterQueueOptions = {}): Promise<DeadLetterQueue> {
    let connection: ChannelModel;
    try {
      ({ connection } = await connectFirst(resolveAmqpUrls(options.url), (url) => ({
        ...(tlsSocketOptions(url, options.tls) ?? {}),
        noDelay: true,
        timeout: DEFAULTS.amqp.connectTimeoutMs,
        clientProperties: { connection_name: 'warren dead letters' },
      })));
    } catch (error) {
      throw new AdapterError(error instanceof Error ? error.message : String(error));
    }
    connection.on('error', () => {});
    return new DeadLetterQueue(connection, options);
  }

  /** Messages in the dead-letter queue (0 when it does not exist). */
  async count(): Promise<number> {
    return this.withChannel(async (channel) => (await channel.checkQueue(this.queue)).messageCount).catch(() => 0);
  }

  /** Up to `limit` dead letters (oldest first) matching `filter`; every message stays in the queue. */
  async list(filter: DeadLetterFilter & { limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const found: DeadLetter[] = [];
    await this.scan(async (message) => {
      const letter = describeDeadLetter(message);
      if (matches(letter, filter)) found.push(letter);
      return found.length >= limit ? 'stop' : 'keep';
    });
    return found;
  }

  /** Sends the dead letter of job `jobId` back to its original queue. AdapterError when there is none. */
  async retry(jobId: string): Promise<RetryReport> {
    const report = await this.retryWhere((letter) => letter.jobId === jobId, 1);
    if (report.retried.length === 0 && report.failed.length === 0) {
      throw new AdapterError(`no dead letter with job id ${jobId} in queue "${this.queue}"`);
    }
    return report;
  }

  /**
   * Sends every dead letter matching `filter` back to its original queue. Only the messages
   * present when it starts are looked at, so jobs that fail again meanwhile are not retried in a loop.
   */
  retryAll(filter: DeadLetterFilter = {}): Promise<RetryReport> {
    return this.retryWhere((letter) => matches(letter, filter), Number.POSITIVE_INFINITY);
  }

  /** Removes the dead letter of job `jobId` for good (the first one found); false when there is none. */
  async discard(jobId: string): Promise<boolean> {
    let found = false;
    await this.scan(async (message, channel) => {
      if (describeDeadLetter(message).jobId !== jobId) return 'keep';
      channel.ack(message);
      found = true;
      return 'stop';
    });
    return found;
  }

  /** Removes dead letters (all, or those matching `filter`); returns how many. */
  async purge(filter: DeadLetterFilter = {}): Promise<number> {
    if (filter.queue === undefined) {
      return this.withChannel(async (channel) => (await channel.purgeQueue(this.queue)).messageCount);
    }
    let purged = 0;
    await this.scan(async (message, channel) => {
      if (!matches(describeDeadLetter(message), filter)) return 'keep';
      channel.ack(message);
      purged += 1;
      return 'keep';
    });
    return purged;
  }

  async close(): Promise<void> {
    await this.publisher?.close();
    await this.connection.close().catch(() => {});
  }

  private async retryWhere(select: (letter: DeadLetter) => boolean, limit: number): Promise<RetryReport> {
    const report: RetryReport = { retried: [], failed: [] };
    await this.scan(async (message, channel) => {
      const letter = describeDeadLetter(message);
      if (!select(letter)) return 'keep';
      try {
        if (!letter.originalQueue) throw new AdapterError('no header names its original queue');
        const headers = republishedHeaders(message.properties.headers as Record<string, unknown> | undefined);
        // The dead letter's executions header counted the failed run; the body, sent back as it was,
        // did not: the header goes back to the body's count, so a second death counts right again.
        const executions = headers[HEADERS.executions];
        const counted = letter.reason === 'failed' || letter.reason === 'deserialization';
        for (const name of DEAD_LETTER_HEADERS) delete headers[name];
        if (typeof executions === 'number' && counted) headers[HEADERS.executions] = Math.max(0, executions - 1);
        await this.publisherFor().publishToQueue(letter.originalQueue, message.content, republishedProperties(message.properties, headers));
        channel.ack(message);
        report.retried.push(letter.jobId ?? '(no id)');
      } catch (error) {
        report.failed.push({ jobId: letter.jobId, error: redactText(error instanceof Error ? error.message : String(error)) });
      }
      return report.retried.length + report.failed.length >= limit ? 'stop' : 'keep';
    });
    return report;
  }

  /**
   * basic.get (unacknowledged) each message present at the start, in order, until `visit`
   * says stop; then the channel closes and every message not acked goes back in place.
   */
  private async scan(visit: (message: GetMessage, channel: Channel) => Promise<'keep' | 'stop'>): Promise<void> {
    await this.withChannel(async (channel) => {
      const { messageCount } = await channel.checkQueue(this.queue);
      for (let seen = 0; seen < messageCount; seen += 1) {
        const message = await channel.get(this.queue, { noAck: false });
        if (message === false) return;
        if ((await visit(message, channel)) === 'stop') return;
      }
    });
  }

  private withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    return exclusively(`${this.options.url ?? ''}|${this.queue}`, () => this.onChannel(work));
  }

  private async onChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.connection.createChannel();
    let closed = false;
    channel.on('error', () => {});
    channel.on('close', () => (closed = true));
    try {
      return await work(channel);
    } catch (error) {
      if (typeof (error as { code?: unknown }).code === 'number' && (error as { code: number }).code === 404) {
        throw new AdapterError(`the dead-letter queue "${this.queue}" does not exist on the broker (nothing was dead-lettered yet)`);
      }
      throw error;
    } finally {
      if (!closed) await channel.close().catch(() => {});
    }
  }

  private publisherFor(): AmqpAdapter {
    this.publisher ??= new AmqpAdapter({
      ...this.options,
      logger: this.options.logger ?? settings().logger,
      // Jobs go back due now: no delay topology to declare.
      delays: immediateOnly,
    });
    return this.publisher;
  }
}
