// Jobs for the delay tests: each records when it ran against the due time it was given.
import { Job, JobRegistry } from '../../../src/index.js';

export interface Run {
  job: string;
  jobId: string;
  label: string;
  /** When the job was due (ms since the epoch), as its producer computed it. */
  dueAt: number;
  /** Date.now() when perform started. */
  at: number;
  executions: number;
  priority: number | null;
}

const runs: Run[] = [];
let failUntilFixed = true;

export function recordedRuns(): Run[] {
  return runs;
}

export function resetRuns(): void {
  runs.length = 0;
  failUntilFixed = true;
}

/** Makes OnceBrokenJob succeed from now on (the "bug" was fixed). */
export function fixBrokenJobs(): void {
  failUntilFixed = false;
}

function record(job: Job, label: string, dueAt: number): void {
  runs.push({ job: job.constructor.name, jobId: job.jobId, label, dueAt, at: Date.now(), executions: job.executions, priority: job.priority ?? null });
}

/** Records when it ran. */
export class TimedJob extends Job {
  static override jobName = 'TimedJob';
  async perform(label: string, dueAt: number): Promise<void> {
    record(this, label, dueAt);
  }
}

export class AlwaysFails extends Error {
  override name = 'AlwaysFails';
}

/** Fails every time; retried twice with a short wait, then dead-lettered. */
export class RetriedJob extends Job {
  static override jobName = 'RetriedJob';
  static {
    this.retryOn(AlwaysFails, { wait: 150, attempts: 3, jitter: 0 });
  }
  async perform(label: string): Promise<void> {
    record(this, label, 0);
    throw new AlwaysFails(`always fails: ${label}`);
  }
}

export class NotYetFixed extends Error {
  override name = 'NotYetFixed';
}

/** Fails (no retry rule: dead-lettered) until fixBrokenJobs() is called. */
export class OnceBrokenJob extends Job {
  static override jobName = 'OnceBrokenJob';
  async perform(label: string): Promise<void> {
    record(this, label, 0);
    if (failUntilFixed) throw new NotYetFixed(`not fixed yet: ${label}`);
  }
}

/** Fails twice, then succeeds: retried through the delay ladder. */
export class FlakyTimedJob extends Job {
  static override jobName = 'FlakyTimedJob';
  static {
    this.retryOn(AlwaysFails, { wait: 200, attempts: 5, jitter: 0 });
  }
  async perform(label: string): Promise<void> {
    record(this, label, 0);
    if (this.executions < 3) throw new AlwaysFails(`flaky: ${label}`);
  }
}

/** Discards every error it raises (Active Job's discardOn) instead of being dead-lettered. */
export class DiscardingJob extends Job {
  static override jobName = 'DiscardingJob';
  static {
    this.discardOn(Error);
  }
  async perform(label: string): Promise<void> {
    record(this, label, 0);
    throw new Error(`discarded: ${label}`);
  }
}

export const delayRegistry = new JobRegistry().register(TimedJob, RetriedJob, OnceBrokenJob, FlakyTimedJob, DiscardingJob);
