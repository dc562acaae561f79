import { JobCancelledError } from '../errors.js';
import type { ExecutionTracker } from '../job/execution.js';
import { internalsOf } from '../job/internal-state.js';
import { abortExecution } from '../job/job-signal.js';
import type { Job } from '../job/job.js';
import type { CancelReport, QueueActivity, RetryNotice, RunningJobReport } from '../presence/heartbeat.js';

interface QueueCounts {
  performed: number;
  failed: number;
  /** The latency last reported (kept while no job of the queue starts). */
  latencyMs: number | undefined;
  /** `performed` when the previous heartbeat was built, and when (for the rate). */
  performedBefore: number;
  reportedAt: number;
}

/**
 * The worker's running jobs and what it has done, for its heartbeats and for cancel. Per job
 * it costs a slot in an array and a counter (heartbeats read the rest when they are built), so
 * a worker with presence on runs at the speed of one without (bench/monitoring-cost.ts).
 *
 * No Map or Set holds a job. On Node 20, a Map holding each running job (as key or as value,
 * the entry deleted when the job ended) made the young-generation GC promote 3.5 times the
 * bytes per job (its objects reached the old generation) and take twice as long: 7-19 µs of
 * worker CPU per job, +25-50% (bench/README.md, "Monitoring cost"). An array holding the same
 * jobs does not. So jobs sit in `slots`, `started` returns the slot's index, the execution
 * hands it back to `ended` (ExecutionTracker), and a freed slot is reused by the next job.
 */
export class RunningJobs implements ExecutionTracker {
  /** Slot i: a running job, or undefined when free; `startedAt[i]` and `cancelRequests[i]` go with it. */
  private readonly slots: (Job | undefined)[] = [];
  private readonly startedAt: number[] = [];
  /** The cancel report of the job in slot i, when an operator cancelled it. */
  private readonly cancelRequests: (CancelReport | undefined)[] = [];
  /** Indexes of the free slots. */
  private readonly free: number[] = [];
  private runningCount = 0;
  private readonly queues = new Map<string, QueueCounts>();
  private readonly cancels: CancelReport[] = [];
  private readonly retries: RetryNotice[] = [];
  /**
   * The last job started, and when: with the running ones, its latency is read when a heartbeat
   * is built. Per job nothing else is looked up (not even the job's queue name, which a job
   * resolves on first read).
   */
  private lastStarted: Job | undefined;
  private lastStartedAt = 0;
  performed = 0;
  failed = 0;

  constructor(private readonly kept: { cancels: number; retries: number }) {}

  /** Takes a free slot for `job` and returns its index (handed back to `ended`). */
  started(job: Job): number {
    const now = Date.now();
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.slots.length;
    this.slots[slot] = job;
    this.startedAt[slot] = now;
    this.cancelRequests[slot] = undefined;
    this.runningCount += 1;
    this.lastStarted = job;
    this.lastStartedAt = now;
    return slot;
  }

  ended(job: Job, slot: number): void {
    if (this.slots[slot] !== job) return; // not this tracker's slot for the job: nothing to free
    this.slots[slot] = undefined;
    this.runningCount -= 1;
    this.free.push(slot);
    const cancel = this.cancelRequests[slot];
    if (cancel) {
      this.cancelRequests[slot] = undefined;
      cancel.outcome = 'ended';
    }
  }

  /** A delivery of `queue` was acked (performed, retried, discarded or skipped). */
  acked(queue: string): void {
    this.performed += 1;
    this.countsOf(queue).performed += 1;
  }

  /** A delivery of `queue` went to the dead-letter queue. */
  deadLettered(queue: string, jobId: string | undefined): void {
    this.failed += 1;
    this.countsOf(queue).failed += 1;
    const cancel = jobId === undefined ? undefined : this.cancels.find((report) => report.jobId === jobId && report.outcome !== 'running');
    if (cancel) cancel.outcome = 'failed';
  }

  retried(notice: RetryNotice): void {
    this.retries.unshift(notice);
    this.retries.length = Math.min(this.retries.length, this.kept.retries);
  }

  /**
   * Aborts the signal of every running job with this id (JobCancelledError); returns how many.
   * The job decides what that means; its cancel report says how it ended.
   */
  cancel(jobId: string): number {
    let found = 0;
    for (let slot = 0; slot < this.slots.length; slot++) {
      const job = this.slots[slot];
      if (job === undefined || job.jobId !== jobId || this.cancelRequests[slot]) continue;
      found += 1;
      const report: CancelReport = { jobId, jobClass: jobClassOf(job), requestedAt: new Date().toISOString(), outcome: 'running' };
      this.cancelRequests[slot] = report;
      this.cancels.unshift(report);
      this.cancels.length = Math.min(this.cancels.length, this.kept.cancels);
      abortExecution(internalsOf(job), new JobCancelledError(`job ${jobId} was cancelled by an operator`));
    }
    return found;
  }

  get busy(): number {
    return this.runningCount;
  }

  /** The running jobs, the longest-running first. */
  runningReports(): RunningJobReport[] {
    const reports: { startedAt: number; report: RunningJobReport }[] = [];
    for (let slot = 0; slot < this.slots.length; slot++) {
      const job = this.slots[slot];
      if (job === undefined) continue;
      const startedAt = this.startedAt[slot]!;
      const state = internalsOf(job);
      const { progress } = state;
      const continuation = state.continuation;
      reports.push({
        startedAt,
        report: {
          jobClass: jobClassOf(job),
          jobId: job.jobId,
          queue: job.queueName,
          executions: job.executions,
          startedAt: new Date(startedAt).toISOString(),
          ...(progress === undefined ? {} : { progress }),
          ...(this.cancelRequests[slot] ? { cancelRequested: true } : {}),
          ...(continuation ? { step: continuation.progress.description.slice(0, 400), resumptions: state.resumptions ?? 0 } : {}),
        },
      });
    }
    return reports.sort((a, b) => a.startedAt - b.startedAt).map(({ report }) => report);
  }

  /** Per queue: counts, the latest start's latency and the rate since the previous call. */
  queueActivity(now = Date.now()): Record<string, QueueActivity> {
    // The latest start per queue among the running jobs and the last one started.
    const latest = new Map<string, { job: Job; startedAt: number }>();
    const consider = (job: Job, startedAt: number): void => {
      const queue = job.queueName;
      const seen = latest.get(queue);
      if (!seen || seen.startedAt < startedAt) latest.set(queue, { job, startedAt });
    };
    for (let slot = 0; slot < this.slots.length; slot++) {
      const job = this.slots[slot];
      if (job !== undefined) consider(job, this.startedAt[slot]!);
    }
    if (this.lastStarted) consider(this.lastStarted, this.lastStartedAt);
    this.lastStarted = undefined; // a job is not kept alive by the report
    for (const [queue, { job, startedAt }] of latest) {
      const enqueuedAt = job.enqueuedAt?.getTime();
      if (enqueuedAt !== undefined && !Number.isNaN(enqueuedAt)) this.countsOf(queue).latencyMs = Math.max(0, startedAt - enqueuedAt);
    }
    const activity: Record<string, QueueActivity> = {};
    for (const [queue, counts] of this.queues) {
      const seconds = (now - counts.reportedAt) / 1000;
      activity[queue] = {
        performed: counts.performed,
        failed: counts.failed,
        ...(counts.latencyMs === undefined ? {} : { latencyMs: counts.latencyMs }),
        ...(seconds > 0 ? { performedPerSecond: Math.round(((counts.performed - counts.performedBefore) / seconds) * 10) / 10 } : {}),
      };
      counts.performedBefore = counts.performed;
      counts.reportedAt = now;
    }
    return activity;
  }

  cancelReports(): CancelReport[] {
    return this.cancels.map((report) => ({ ...report }));
  }

  retryNotices(): RetryNotice[] {
    return [...this.retries];
  }

  private countsOf(queue: string): QueueCounts {
    let counts = this.queues.get(queue);
    if (!counts) {
      counts = { performed: 0, failed: 0, latencyMs: undefined, performedBefore: 0, reportedAt: Date.now() };
      this.queues.set(queue, counts);
    }
    return counts;
  }
}

function jobClassOf(job: Job): string {
  return (job.constructor as { jobName?: string }).jobName ?? job.constructor.name;
}
