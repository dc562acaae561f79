import { z } from 'zod';
import type { JobProgress } from '../job/internal-state.js';
import { isWorkerId, MAX_HEARTBEAT_BYTES, MAX_QUEUES_LISTED, MAX_RUNNING_LISTED, reportableProgress } from './heartbeat-limits.js';

/**
 * What a worker says about itself every few seconds (DEFAULTS.presence.heartbeatIntervalMs),
 * on the heartbeat exchange: a JSON message, non-persistent, expiring after
 * DEFAULTS.presence.heartbeatTtlMs. A reader forgets a worker it has not heard from for that long.
 */
export interface WorkerHeartbeat {
  /** Unique per worker process: `<host>:<pid>:<random>`. */
  id: string;
  host: string;
  pid: number;
  /** warren's version. */
  version: string;
  queues: string[];
  concurrency: number;
  /** Jobs being performed now. */
  busy: number;
  running: RunningJobReport[];
  /** Deliveries acked since start (performed, retried, discarded or skipped). */
  performed: number;
  /** Deliveries dead-lettered since start. */
  failed: number;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601: when this heartbeat was sent. */
  sentAt: string;
  state: WorkerState;
  /** Per queue this worker consumes: its counts since start and the queue latency of the last job it started. */
  queueStats: Record<string, QueueActivity>;
  /** The last cancels this worker carried out, newest first (at most DEFAULTS.presence.cancelsKept). */
  cancels: CancelReport[];
  /** The last jobs this worker sent to retry, newest first (at most DEFAULTS.presence.retriesKept). */
  retries: RetryNotice[];
  /** Workers given schedules: their scheduler group, and whether this one leads it now. */
  scheduler?: { group: string; leader: boolean } | undefined;
}

export interface QueueActivity {
  performed: number;
  failed: number;
  /** Start minus enqueued_at of the last job started from this queue, in ms (how long jobs wait). */
  latencyMs?: number | undefined;
  /** Jobs per second acked from this queue over the last heartbeat interval. */
  performedPerSecond?: number | undefined;
}

/** A job whose execution failed and was enqueued again by a retry rule. */
export interface RetryNotice {
  jobId: string;
  jobClass: string;
  queue: string;
  /** Executions so far, the failed one included, when known. */
  executions?: number | undefined;
  /** ISO 8601: when the retry was enqueued. */
  at: string;
}

/** running: taking jobs; quiet: finishing the jobs it has, taking none; stopping: shutting down; stopped: its last heartbeat. */
export type WorkerState = 'running' | 'quiet' | 'stopping' | 'stopped';

export interface RunningJobReport {
  jobClass: string;
  jobId: string;
  queue: string;
  executions: number;
  /** ISO 8601. */
  startedAt: string;
  /** What the job last passed to `this.progress()`, if anything. */
  progress?: JobProgress | undefined;
  /** Set once an operator asked to cancel it (its signal was aborted). */
  cancelRequested?: boolean | undefined;
  /** A continuable job's place (`at 'import', cursor 1200` or `after 'download'`), once it met a step. */
  step?: string | undefined;
  /** How many times a continuable job was resumed, once it met a step. */
  resumptions?: number | undefined;
}

/** What became of a job an operator cancelled: the job decides (see JobCancelledError). */
export interface CancelReport {
  jobId: string;
  jobClass: string;
  /** ISO 8601: when the cancel arrived. */
  requestedAt: string;
  /** 'running' until the job ended; then how it ended. */
  outcome: 'running' | 'ended' | 'failed';
}

/** Any JSON value, small and shallow: progress is shown, never interpreted. */
const progressValue = z.unknown().refine(reportableProgress);

const text = (max: number) => z.string().max(max);

/** Heartbeats come from the broker: anyone with publish rights can send one, so they are checked. */
const heartbeatSchema = z.object({
  id: text(300),
  host: text(255),
  pid: z.number().int().nonnegative(),
  version: text(64),
  queues: z.array(text(255)).max(MAX_QUEUES_LISTED),
  concurrency: z.number().int().nonnegative(),
  busy: z.number().int().nonnegative(),
  running: z
    .array(
      z.object({
        jobClass: text(255),
        jobId: text(255),
        queue: text(255),
        executions: z.number().int().nonnegative(),
        startedAt: text(40),
        progress: z.union([z.number(), text(1_000), z.record(progressValue)]).optional(),
        cancelRequested: z.boolean().optional(),
        step: text(400).optional(),
        resumptions: z.number().int().nonnegative().optional(),
      }),
    )
    .max(MAX_RUNNING_LISTED),
  performed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  startedAt: text(40),
  sentAt: text(40),
  state: z.enum(['running', 'quiet', 'stopping', 'stopped']),
  queueStats: z
    .record(
      text(255),
      z.object({
        performed: z.number().int().nonnegative(),
        failed: z.number().int().nonnegative(),
        latencyMs: z.number().nonnegative().optional(),
        performedPerSecond: z.number().nonnegative().optional(),
      }),
    )
    .default({}),
  retries: z
    .array(z.object({ jobId: text(255), jobClass: text(255), queue: text(255), executions: z.number().int().nonnegative().optional(), at: text(40) }))
    .max(100)
    .default([]),
  cancels: z.array(z.object({ jobId: text(255), jobClass: text(255), requestedAt: text(40), outcome: z.enum(['running', 'ended', 'failed']) })).max(100),
  scheduler: z.object({ group: text(100), leader: z.boolean() }).optional(),
});

/** The heartbeat in `body`, or undefined when it is not one (malformed messages are ignored, never thrown). */
export function parseHeartbeat(body: Buffer): WorkerHeartbeat | undefined {
  if (body.length > MAX_HEARTBEAT_BYTES) return undefined;
  try {
    const parsed = heartbeatSchema.safeParse(JSON.parse(body.toString('utf8')));
    if (!parsed.success) return undefined;
    const heartbeat = parsed.data as WorkerHeartbeat;
    return isWorkerId(heartbeat.id, heartbeat.host, heartbeat.pid) ? heartbeat : undefined;
  } catch {
    return undefined; // not JSON, or a value the checks could not walk
  }
}
