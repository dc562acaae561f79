import type { DeadLetterFilter, RetryReport } from '../adapters/amqp/dead-letter-queue.js';
import type { DeadLetter } from '../amqp/dead-letters/dead-letter-message.js';
import type { WorkerHeartbeat } from '../presence/heartbeat.js';
import type { QueueStats, StatsSnapshot } from '../stats/stats-snapshot.js';

/**
 * What the dashboard reads and asks, behind three small interfaces: the broker-backed ones
 * (broker-sources.ts: StatsReader, WorkerMonitor, DeadLetterQueue) in production, fakes in tests.
 */
export interface StatsSource {
  snapshot(): Promise<StatsSnapshot>;
  close(): Promise<void>;
}

/** Live workers (from their heartbeats) and the control messages sent to them. */
export interface WorkerSource {
  workers(options?: { refresh?: boolean }): Promise<WorkerHeartbeat[]>;
  quiet(workerId: string): Promise<void>;
  stop(workerId: string): Promise<void>;
  cancel(jobId: string, workerId?: string): Promise<void>;
  /** Pauses a queue for every worker (kept on the broker), or resumes it. */
  pause(queue: string): Promise<void>;
  resume(queue: string): Promise<void>;
  /** Which of `queues` are paused. */
  paused(queues: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

/** The dead-letter queue. */
export interface DeadLetterSource {
  /** Its name, shown on the pages. */
  readonly queue: string;
  count(): Promise<number>;
  list(filter?: DeadLetterFilter & { limit?: number }): Promise<DeadLetter[]>;
  retry(jobId: string): Promise<RetryReport>;
  retryAll(filter?: DeadLetterFilter): Promise<RetryReport>;
  /** Removes the dead letter of one job for good; false when there is none. */
  discard(jobId: string): Promise<boolean>;
  purge(filter?: DeadLetterFilter): Promise<number>;
  close(): Promise<void>;
}

export interface DashboardSources {
  stats: StatsSource;
  workers: WorkerSource;
  deadLetters: DeadLetterSource;
}

export type { DeadLetter, QueueStats, RetryReport, StatsSnapshot, WorkerHeartbeat };
