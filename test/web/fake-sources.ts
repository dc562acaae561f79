import type { DeadLetter, DashboardSources, StatsSnapshot, WorkerHeartbeat } from '../../src/web/sources.js';
import type { RetryReport } from '../../src/adapters/amqp/dead-letter-queue.js';

/** In-memory sources for the dashboard's unit tests: what it was asked is recorded in `calls`. */
export interface FakeSources extends DashboardSources {
  calls: string[];
  letters: DeadLetter[];
  heartbeats: WorkerHeartbeat[];
}

export function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    jobId: 'job-1',
    jobClass: 'ChargeCardJob',
    reason: 'failed',
    errorClass: 'CardDeclined',
    errorMessage: 'card declined',
    errorBacktrace: ['at perform (charge.ts:10:5)', 'at run (worker.ts:1:1)'],
    arguments: [{ card: '4242', amount: 10 }],
    originalQueue: 'payments',
    originalRoutingKey: 'payments',
    deadAt: new Date().toISOString(),
    executions: 5,
    ...overrides,
  };
}

export function heartbeat(overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  const now = new Date().toISOString();
  return {
    id: 'host-a:100:abc',
    host: 'host-a',
    pid: 100,
    version: '0.1.0',
    queues: ['payments'],
    concurrency: 5,
    busy: 1,
    running: [{ jobClass: 'ReportJob', jobId: 'run-1', queue: 'payments', executions: 1, startedAt: now, progress: 40 }],
    performed: 12,
    failed: 1,
    startedAt: now,
    sentAt: now,
    state: 'running',
    queueStats: {},
    cancels: [],
    retries: [],
    ...overrides,
  };
}

export function fakeSources(): FakeSources {
  const calls: string[] = [];
  const letters: DeadLetter[] = [letter()];
  const heartbeats: WorkerHeartbeat[] = [heartbeat()];
  const report = (ids: string[]): RetryReport => ({ retried: ids, failed: [] });
  const pausedQueues = new Set<string>();
  const snapshot = async (): Promise<StatsSnapshot> => ({
    takenAt: new Date().toISOString(),
    queues: [{ name: 'payments', ready: 3, unacked: 1, consumers: 1, performedPerSecond: 2.5, enqueuedPerSecond: 3, latencyMs: 120 }],
    delayed: [{ window: '1 minute', upToMs: 60_000, messages: 2 }],
    deadLetters: { total: letters.length, byReason: { failed: letters.length }, scanned: letters.length },
    workers: heartbeats,
  });
  return {
    calls,
    letters,
    heartbeats,
    stats: { snapshot, close: async () => {} },
    workers: {
      workers: async () => heartbeats,
      quiet: async (id) => void calls.push(`quiet ${id}`),
      stop: async (id) => void calls.push(`stop ${id}`),
      cancel: async (jobId, workerId) => void calls.push(`cancel ${jobId} ${workerId ?? ''}`),
      pause: async (queue) => void (calls.push(`pause ${queue}`), pausedQueues.add(queue)),
      resume: async (queue) => void (calls.push(`resume ${queue}`), pausedQueues.delete(queue)),
      paused: async (queues) => new Set(queues.filter((queue) => pausedQueues.has(queue))),
      close: async () => {},
    },
    deadLetters: {
      queue: 'warren.dead',
      count: async () => letters.length,
      list: async (filter = {}) => letters.filter((l) => !filter.queue || l.originalQueue === filter.queue).slice(0, filter.limit ?? Number.POSITIVE_INFINITY),
      retry: async (jobId) => {
        calls.push(`retry ${jobId}`);
        const index = letters.findIndex((l) => l.jobId === jobId);
        if (index < 0) throw new (await import('../../src/errors.js')).AdapterError(`no dead letter with job id ${jobId}`);
        letters.splice(index, 1);
        return report([jobId]);
      },
      retryAll: async () => {
        calls.push('retryAll');
        return report(letters.splice(0).map((l) => l.jobId ?? ''));
      },
      discard: async (jobId) => {
        calls.push(`discard ${jobId}`);
        const index = letters.findIndex((l) => l.jobId === jobId);
        if (index >= 0) letters.splice(index, 1);
        return index >= 0;
      },
      purge: async () => {
        calls.push('purge');
        return letters.splice(0).length;
      },
      close: async () => {},
    },
  };
}
