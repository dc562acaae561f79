import type { StatsSnapshot } from './sources.js';

/** One point of the overview chart. */
export interface Sample {
  at: number;
  /** Jobs per second performed, over every queue (undefined when no queue reports a rate). */
  performedPerSecond: number | undefined;
  enqueuedPerSecond: number | undefined;
  /** Dead-lettered per second since the previous sample, from the live workers' counters. */
  failedPerSecond: number | undefined;
  /** Messages ready in the job queues. */
  ready: number;
  deadLetters: number;
  workers: number;
  /** Jobs being performed by the live workers. */
  running: number;
  /** Sum of the live workers' `failed` counters (to derive failedPerSecond). */
  failedCounter: number;
}

function sum(values: ReadonlyArray<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return known.length === 0 ? undefined : known.reduce((total, value) => total + value, 0);
}

/** A sample from a snapshot; `previous` gives the failure rate (counters that went down, a worker restarted, count as 0). */
export function sampleOf(snapshot: StatsSnapshot, previous: Sample | undefined): Sample {
  const taken = Date.parse(snapshot.takenAt);
  const at = Number.isNaN(taken) ? Date.now() : taken;
  const failedCounter = snapshot.workers.reduce((total, worker) => total + worker.failed, 0);
  const elapsed = previous ? (at - previous.at) / 1_000 : 0;
  return {
    at,
    performedPerSecond: sum(snapshot.queues.map((queue) => queue.performedPerSecond)),
    enqueuedPerSecond: sum(snapshot.queues.map((queue) => queue.enqueuedPerSecond)),
    failedPerSecond: previous && elapsed > 0 ? Math.max(0, failedCounter - previous.failedCounter) / elapsed : undefined,
    ready: snapshot.queues.reduce((total, queue) => total + queue.ready, 0),
    deadLetters: snapshot.deadLetters.total,
    workers: snapshot.workers.length,
    running: snapshot.workers.reduce((total, worker) => total + worker.busy, 0),
    failedCounter,
  };
}

/**
 * The stats of the last hour (DEFAULTS.web.historyMs), sampled in memory: what the overview
 * chart draws. Nothing is stored elsewhere, so a restarted dashboard starts an empty chart. A
 * sample that could not be taken (broker away) leaves a gap.
 */
export class StatsHistory {
  private readonly samples: Sample[] = [];

  constructor(
    private readonly intervalMs: number,
    private readonly historyMs: number,
  ) {}

  /** Records a snapshot; one taken within half an interval of the last sample adds nothing (pages take snapshots too). */
  add(snapshot: StatsSnapshot): void {
    const last = this.samples.at(-1);
    const sample = sampleOf(snapshot, last);
    if (last && sample.at - last.at < this.intervalMs / 2) return;
    this.samples.push(sample);
    const horizon = sample.at - this.historyMs;
    while (this.samples.length > 0 && (this.samples[0]?.at ?? 0) < horizon) this.samples.shift();
  }

  all(): readonly Sample[] {
    return this.samples;
  }
}
