import { Buckets } from './buckets.js';
import type { PromCounterChild } from './prom-client.js';

/** The per-job counts of a series: indexes into JobSeries.counts. */
export const COUNT = Object.freeze({ enqueued: 0, performed: 1, discarded: 2, skipped: 3, retried: 4 });
export type CountKind = keyof typeof COUNT;
const KINDS = 5;

/**
 * What the metrics know of one (job_class, queue) pair. The events of a job add to plain
 * numbers here (a few nanoseconds); prom-client sees them only when scraped: each counter
 * is handed the difference since the last scrape, and the histograms read the buckets.
 */
export class JobSeries {
  /** Counts since the metrics were created, by COUNT index. */
  readonly counts = new Float64Array(KINDS);
  /** The part of `counts` already handed to the prom-client counters. */
  readonly flushed = new Float64Array(KINDS);
  /** The prom-client counter children of this pair, by COUNT index, made at their first scrape. */
  readonly children: (PromCounterChild | undefined)[] = [];
  /** warren_job_duration_seconds: perform (callbacks included) of completed and retried jobs. */
  readonly duration: Buckets;
  /** warren_job_queue_latency_seconds: from enqueued_at to the start of perform. */
  readonly latency: Buckets;
  /** The labels as prom-client's JSON form has them. */
  readonly labels: Readonly<{ job_class: string; queue: string }>;

  constructor(
    readonly jobClass: string,
    readonly queue: string,
    durationBounds: readonly number[],
    latencyBounds: readonly number[],
  ) {
    this.duration = new Buckets(durationBounds);
    this.latency = new Buckets(latencyBounds);
    this.labels = Object.freeze({ job_class: jobClass, queue });
  }
}

export interface SeriesTableOptions {
  durationBuckets: readonly number[];
  latencyBuckets: readonly number[];
  /** Pairs kept apart; those past it share one `other` series. */
  maxSeries: number;
  /** job_class of an event without one (an undecodable message). */
  unknownJobClass: string;
  overflowLabel: string;
}

/**
 * Every series, found by queue then job class: two Map lookups and no string built per
 * event. Labels stay bounded: a missing class is `unknown`, and past `maxSeries` pairs
 * (class names come from messages, which anyone who can publish writes) every new pair is
 * counted under job_class and queue `other`.
 */
export class SeriesTable {
  private readonly byQueue = new Map<string, Map<string, JobSeries>>();
  private readonly list: JobSeries[] = [];
  private overflow: JobSeries | undefined;

  constructor(private readonly options: SeriesTableOptions) {}

  /** In the order they appeared (the `other` series among them, once used). */
  get series(): readonly JobSeries[] {
    return this.list;
  }

  get(queue: string, jobClass: string | undefined): JobSeries {
    const name = jobClass ?? this.options.unknownJobClass;
    const classes = this.byQueue.get(queue);
    return classes?.get(name) ?? this.add(queue, name, classes);
  }

  private add(queue: string, jobClass: string, classes: Map<string, JobSeries> | undefined): JobSeries {
    if (this.list.length - (this.overflow ? 1 : 0) >= this.options.maxSeries) {
      if (!this.overflow) {
        const other = this.options.overflowLabel;
        this.overflow = this.create(other, other);
      }
      return this.overflow;
    }
    const series = this.create(jobClass, queue);
    if (classes) classes.set(jobClass, series);
    else this.byQueue.set(queue, new Map([[jobClass, series]]));
    return series;
  }

  private create(jobClass: string, queue: string): JobSeries {
    const series = new JobSeries(jobClass, queue, this.options.durationBuckets, this.options.latencyBuckets);
    this.list.push(series);
    return series;
  }
}
