import { DEFAULTS } from '../config/defaults.js';
import type { WorkerHeartbeat } from '../presence/heartbeat.js';

/** One job queue, as `warren stats` and the dashboard show it. */
export interface QueueStats {
  name: string;
  /** Messages waiting in the queue (the broker's message count). */
  ready: number;
  /**
   * Jobs of this queue being performed now, summed over the live workers' heartbeats; undefined
   * when no live worker consumes the queue. RabbitMQ does not tell an AMQP client how many
   * messages are unacknowledged (only its management API does, and warren does not need it), so
   * deliveries prefetched but not yet started are not counted.
   */
  unacked: number | undefined;
  /** Consumers the broker counts on the queue (any client, not only warren workers). */
  consumers: number;
  /** Jobs per second the live workers acked from this queue over their last heartbeat interval; undefined without workers. */
  performedPerSecond: number | undefined;
  /**
   * Jobs per second arriving: the change of `ready` since the previous reading plus the ack rate.
   * Undefined until two readings exist (a `warren stats` takes two, a second apart).
   */
  enqueuedPerSecond: number | undefined;
  /**
   * How long jobs wait, ms: 0 when the queue is empty, otherwise the latency (started minus
   * enqueued) of the latest job a live worker started from it. Undefined when jobs wait and no
   * worker reports on the queue: reading the oldest message would take it from the queue
   * (and count a delivery against a quorum queue's delivery limit), so it is not read.
   */
  latencyMs: number | undefined;
  /** Set when every worker is told to take no jobs from the queue (`warren queue pause`). */
  paused?: boolean | undefined;
}

/** Delayed jobs (and retries waiting their turn) falling due within one window. */
export interface DelayWindowStats {
  /** `due now` (arrived, waiting to be forwarded to their queue), `< 1 min`, `< 1 hour`, .. `later`. */
  window: string;
  /** The longest wait this window holds, ms (0 for `due now`, Infinity for `later`). */
  upToMs: number;
  messages: number;
}

export interface DeadLetterStats {
  /** Messages in the dead-letter queue. */
  total: number;
  /** Dead letters per reason (failed, deserialization, unknown-job, too-large, ...) among those read. */
  byReason: Record<string, number>;
  /** How many were read to count them (at most DEFAULTS.stats.deadLetterScanLimit, oldest first). */
  scanned: number;
}

/** What the broker and the live workers say at one moment. */
export interface StatsSnapshot {
  /** ISO 8601. */
  takenAt: string;
  /** The job queues, by name. */
  queues: QueueStats[];
  /** Delayed jobs per due window, soonest first; windows without messages are left out. */
  delayed: DelayWindowStats[];
  deadLetters: DeadLetterStats;
  workers: WorkerHeartbeat[];
}

/** One reading of a queue: its message and consumer counts at a moment. */
export interface QueueReading {
  name: string;
  ready: number;
  consumers: number;
  /** ms since the epoch. */
  at: number;
}

/** The window a ladder level's messages count in: they fall due in less than 2^(level+1) ms. */
export function delayWindowOf(
  level: number,
  windows: readonly { window: string; upToMs: number }[] = DEFAULTS.stats.delayWindows,
): { window: string; upToMs: number } {
  const longestWait = 2 ** (level + 1);
  const found = windows.find((window) => window.upToMs >= longestWait);
  return found ?? { window: 'later', upToMs: Number.POSITIVE_INFINITY };
}

/** Messages per ladder level (and in the due queue, level -1) summed into due windows, soonest first, empty ones left out. */
export function delayWindows(levels: ReadonlyMap<number, number>, windows?: readonly { window: string; upToMs: number }[]): DelayWindowStats[] {
  const byWindow = new Map<string, DelayWindowStats>();
  const ordered = [...levels.entries()].sort(([a], [b]) => a - b);
  for (const [level, messages] of ordered) {
    if (messages === 0) continue;
    const { window, upToMs } = level < 0 ? { window: 'due now', upToMs: 0 } : delayWindowOf(level, windows);
    const entry = byWindow.get(window) ?? { window, upToMs, messages: 0 };
    entry.messages += messages;
    byWindow.set(window, entry);
  }
  return [...byWindow.values()].sort((a, b) => a.upToMs - b.upToMs);
}

/** Per queue from the live workers' heartbeats: jobs running, ack rate, latest latency. */
function workerActivity(queue: string, workers: readonly WorkerHeartbeat[]): { running?: number; performedPerSecond?: number; latencyMs?: number } {
  let running: number | undefined;
  let performedPerSecond: number | undefined;
  let latencyMs: number | undefined;
  for (const worker of workers) {
    if (worker.state === 'stopped' || !worker.queues.includes(queue)) continue;
    running = (running ?? 0) + worker.running.filter((job) => job.queue === queue).length;
    const activity = worker.queueStats[queue];
    if (activity?.performedPerSecond !== undefined) performedPerSecond = (performedPerSecond ?? 0) + activity.performedPerSecond;
    if (activity?.latencyMs !== undefined) latencyMs = Math.max(latencyMs ?? 0, activity.latencyMs);
  }
  return {
    ...(running !== undefined && { running }),
    ...(performedPerSecond !== undefined && { performedPerSecond }),
    ...(latencyMs !== undefined && { latencyMs }),
  };
}

/** A queue's stats from its latest reading, the one before (for the arrival rate) and the workers' heartbeats. */
export function queueStats(current: QueueReading, previous: QueueReading | undefined, workers: readonly WorkerHeartbeat[], paused = false): QueueStats {
  const activity = workerActivity(current.name, workers);
  const seconds = previous ? (current.at - previous.at) / 1000 : 0;
  const enqueuedPerSecond =
    previous && seconds > 0 ? Math.max(0, Math.round(((current.ready - previous.ready) / seconds + (activity.performedPerSecond ?? 0)) * 10) / 10) : undefined;
  return {
    name: current.name,
    ready: current.ready,
    unacked: activity.running,
    consumers: current.consumers,
    performedPerSecond: activity.performedPerSecond,
    enqueuedPerSecond,
    latencyMs: current.ready === 0 ? 0 : activity.latencyMs,
    ...(paused && { paused: true }),
  };
}

/** Dead letters per reason. */
export function countReasons(reasons: readonly string[]): Record<string, number> {
  // A Map, then own properties: a reason is a header anyone can set (`__proto__`, `constructor`).
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return Object.fromEntries(counts);
}
