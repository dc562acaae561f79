import type { Channel, ChannelModel } from 'amqplib';
import { DeadLetterQueue } from '../adapters/amqp/dead-letter-queue.js';
import { connectFirst } from '../amqp/connect-first.js';
import { resolveAmqpUrls, type AmqpConnectionOptions } from '../amqp/connection.js';
import { delayNames, type LadderQueueType } from '../amqp/delay/names.js';
import { tlsSocketOptions } from '../amqp/tls.js';
import { pauseMarkerName } from '../amqp/queue-pauses.js';
import { DEFAULTS } from '../config/defaults.js';
import { AdapterError } from '../errors.js';
import { WorkerMonitor } from '../presence/worker-monitor.js';
import type { WorkerHeartbeat } from '../presence/heartbeat.js';
import { redactText } from '../support/redact.js';
import { defaultTopology, jobQueues, type Topology } from '../topology/index.js';
import { countReasons, delayWindows, queueStats, type QueueReading, type StatsSnapshot } from './stats-snapshot.js';

export interface StatsReaderOptions extends AmqpConnectionOptions {
  /** The job queues are the topology's (jobQueues) and those live workers consume. Default: `defaultTopology()`. */
  topology?: Topology;
  /** Read exactly these queues instead. */
  queues?: string[];
  /** Default: DEFAULTS.amqp.deadLetterQueue. */
  deadLetterQueue?: string;
  /** The delay ladder to count delayed jobs in. Default: DEFAULTS.delay (prefix, queue type, levels). */
  delay?: { prefix?: string; queueType?: LadderQueueType; levels?: number; lowestLevel?: number };
  /** Dead letters read to count them per reason. Default: DEFAULTS.stats.deadLetterScanLimit. */
  deadLetterScanLimit?: number;
  /** A monitor to share (the dashboard's): the reader uses it and leaves it open. Default: one of its own. */
  monitor?: WorkerMonitor;
}

/** The reader's own connection (passive declares), given up after DEFAULTS.amqp.connectTimeoutMs. */
async function connectReader(options: StatsReaderOptions): Promise<ChannelModel> {
  try {
    const { connection } = await connectFirst(resolveAmqpUrls(options.url), (url) => ({
      ...(tlsSocketOptions(url, options.tls) ?? {}),
      noDelay: true,
      timeout: DEFAULTS.amqp.connectTimeoutMs,
      clientProperties: { connection_name: 'warren stats' },
    }));
    connection.on('error', () => {});
    return connection;
  } catch (error) {
    throw new AdapterError(error instanceof Error ? error.message : String(error));
  }
}

function openDeadLetters(options: StatsReaderOptions): Promise<DeadLetterQueue> {
  return DeadLetterQueue.open({
    ...(options.url !== undefined && { url: options.url }),
    ...(options.tls !== undefined && { tls: options.tls }),
    ...(options.logger !== undefined && { logger: options.logger }),
    ...(options.topology !== undefined && { topology: options.topology }),
    ...(options.deadLetterQueue !== undefined && { queue: options.deadLetterQueue }),
  });
}

/** Job queue names taken from heartbeats at most (heartbeats can be forged: each name costs a passive declare per snapshot). */
const MAX_QUEUES_FROM_WORKERS = 500;

/** A queue's AMQP reply code when it does not exist. */
const NOT_FOUND = 404;

/**
 * What `warren stats` and the dashboard show, read from the broker alone: each queue's message
 * and consumer counts (a passive queue.declare, which takes nothing from the queue), the delay
 * ladder's levels summed per due window, the dead letters per reason (read and put back, see
 * DeadLetterQueue), and the live workers' heartbeats (WorkerMonitor) for what only they know:
 * jobs running, ack rates and latency. No management plugin and no store of warren's own.
 */
export class StatsReader {
  private previous = new Map<string, QueueReading>();
  private snapshots = 0;
  private running: Promise<unknown> = Promise.resolve();
  /** Set when the connection closed (broker restart, network): the next read connects again. */
  private lost = false;
  private channel: Promise<Channel> | undefined;
  private readonly ladder: { names: Map<string, number> };

  private constructor(
    private connection: ChannelModel,
    private readonly monitor: WorkerMonitor,
    private readonly ownsMonitor: boolean,
    private deadLetters: DeadLetterQueue,
    private readonly options: StatsReaderOptions,
  ) {
    const delay = { ...DEFAULTS.delay, ...options.delay };
    const names = delayNames(delay.prefix, delay.queueType);
    const levels = new Map<string, number>();
    for (let level = delay.lowestLevel; level < delay.levels; level += 1) levels.set(names.level(level), level);
    if (names.due) levels.set(names.due, -1);
    this.ladder = { names: levels };
    this.watch(connection);
  }

  private watch(connection: ChannelModel): void {
    connection.on('close', () => {
      if (connection === this.connection) this.lost = true;
    });
  }

  static async open(options: StatsReaderOptions = {}): Promise<StatsReader> {
    const connection = await connectReader(options);
    const opened: { monitor?: WorkerMonitor; deadLetters?: DeadLetterQueue } = {};
    try {
      const connectionOptions = {
        ...(options.url !== undefined && { url: options.url }),
        ...(options.tls !== undefined && { tls: options.tls }),
        ...(options.logger !== undefined && { logger: options.logger }),
      };
      opened.monitor = options.monitor ?? (await WorkerMonitor.open({ ...connectionOptions, connectionName: 'warren stats monitor' }));
      opened.deadLetters = await openDeadLetters(options);
      return new StatsReader(connection, opened.monitor, options.monitor === undefined, opened.deadLetters, options);
    } catch (error) {
      if (options.monitor === undefined) await opened.monitor?.close().catch(() => {});
      await opened.deadLetters?.close().catch(() => {});
      await connection.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Reads everything once. The first snapshot asks every worker for a heartbeat and reads the
   * queues before and after waiting for the answers (DEFAULTS.presence.refreshWaitMs), so even
   * a single `warren stats` has an arrival rate; later ones compare with the previous snapshot.
   */
  snapshot(): Promise<StatsSnapshot> {
    // One at a time: they share a channel, which a missing queue closes.
    const run = this.running.then(
      () => this.takeSnapshot(),
      () => this.takeSnapshot(),
    );
    this.running = run.catch(() => {});
    return run;
  }

  private async takeSnapshot(): Promise<StatsSnapshot> {
    const first = this.snapshots === 0;
    this.snapshots += 1;
    let workers: WorkerHeartbeat[];
    if (first) {
      const before = await this.readQueues(this.queueNames(await this.monitor.workers()));
      for (const reading of before) this.previous.set(reading.name, reading);
      workers = await this.monitor.workers({ refresh: true });
    } else {
      workers = await this.monitor.workers();
    }
    const readings = await this.readQueues(this.queueNames(workers));
    const paused = new Set<string>();
    for (const reading of readings) if (await this.check(pauseMarkerName(reading.name))) paused.add(reading.name);
    const queues = readings.map((reading) => queueStats(reading, this.previous.get(reading.name), workers, paused.has(reading.name)));
    this.previous = new Map(readings.map((reading) => [reading.name, reading]));
    const delayed = delayWindows(await this.readLadder());
    const deadLetters = await this.readDeadLetters();
    return { takenAt: new Date().toISOString(), queues, delayed, deadLetters, workers };
  }

  /** Closes the reader's connections (not a monitor it was given). */
  async close(): Promise<void> {
    if (this.ownsMonitor) await this.monitor.close().catch(() => {});
    await this.deadLetters.close().catch(() => {});
    await this.connection.close().catch(() => {});
  }

  /** The job queues: those asked for, or the topology's, the default queue and every queue a live worker consumes. */
  private queueNames(workers: readonly WorkerHeartbeat[]): string[] {
    if (this.options.queues?.length) return [...new Set(this.options.queues)];
    const topology = this.options.topology ?? defaultTopology();
    const deadLetterQueue = this.options.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
    const names = new Set([...jobQueues(topology, { deadLetterQueue }), DEFAULTS.queueName]);
    let fromWorkers = 0;
    for (const worker of workers) {
      for (const queue of worker.queues) {
        if (names.has(queue) || fromWorkers >= MAX_QUEUES_FROM_WORKERS) continue;
        names.add(queue);
        fromWorkers += 1;
      }
    }
    for (const name of names) if (this.ladder.names.has(name) || name === deadLetterQueue) names.delete(name);
    return [...names].sort();
  }

  /** The queues that exist, with their counts; a missing queue is left out. */
  private async readQueues(names: readonly string[]): Promise<QueueReading[]> {
    const readings: QueueReading[] = [];
    for (const name of names) {
      const counts = await this.check(name);
      if (counts) readings.push({ name, ready: counts.messageCount, consumers: counts.consumerCount, at: Date.now() });
    }
    return readings;
  }

  /** Messages per ladder level (-1: the due queue). */
  private async readLadder(): Promise<Map<number, number>> {
    const levels = new Map<number, number>();
    for (const [name, level] of this.ladder.names) {
      const counts = await this.check(name);
      if (counts) levels.set(level, counts.messageCount);
    }
    return levels;
  }

  private async readDeadLetters(): Promise<StatsSnapshot['deadLetters']> {
    const total = await this.deadLetters.count();
    if (total === 0) return { total, byReason: {}, scanned: 0 };
    const letters = await this.deadLetters.list({ limit: this.options.deadLetterScanLimit ?? DEFAULTS.stats.deadLetterScanLimit }).catch(() => []);
    return { total, byReason: countReasons(letters.map((letter) => letter.reason)), scanned: letters.length };
  }

  /** A passive declare: the queue's counts, or undefined when it does not exist (which closes the channel: the next check opens another). */
  private async check(queue: string): Promise<{ messageCount: number; consumerCount: number } | undefined> {
    if (this.lost) {
      this.lost = false;
      this.channel = undefined;
      this.connection = await connectReader(this.options).catch((error: unknown) => {
        this.lost = true;
        throw error;
      });
      this.watch(this.connection);
      // Its connection went with the same broker: open it again too.
      const stale = this.deadLetters;
      this.deadLetters = await openDeadLetters(this.options);
      await stale.close().catch(() => {});
    }
    this.channel ??= this.openChannel();
    try {
      const channel = await this.channel;
      return await channel.checkQueue(queue);
    } catch (error) {
      this.channel = undefined;
      if ((error as { code?: unknown }).code === NOT_FOUND) return undefined;
      throw new AdapterError(`cannot read queue "${queue}": ${redactText(error instanceof Error ? error.message : String(error))}`);
    }
  }

  private async openChannel(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => {});
    return channel;
  }
}
