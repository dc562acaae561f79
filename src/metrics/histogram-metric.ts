import type { Buckets } from './buckets.js';
import type { JobSeries, SeriesTable } from './job-series.js';

/** One line of a metric in prom-client's JSON form (`registry.getMetricsAsJSON()`). */
export interface MetricValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram over the job series, registered in a prom-client registry beside its own
 * metrics. prom-client has no way to hand a Histogram counts gathered elsewhere, and its
 * `observe` costs too much per job (buckets.ts); so this object takes the place of one: the
 * registry reads a metric through `get()`, whose result is prom-client's documented JSON form
 * of a histogram (`_bucket` lines with a cumulative `le`, then `_sum` and `_count`), and
 * renders it as prom-client's own histograms are (text or OpenMetrics). `reset()` is what
 * `registry.resetMetrics()` calls.
 */
export class HistogramMetric {
  readonly type = 'histogram';
  /** How prom-client's AggregatorRegistry combines cluster workers: add them up. */
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly table: SeriesTable,
    private readonly bucketsOf: (series: JobSeries) => Buckets,
  ) {}

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.table.series) {
      const buckets = this.bucketsOf(series);
      if (buckets.count === 0) continue;
      const { labels } = series;
      let cumulative = 0;
      buckets.bounds.forEach((le, index) => {
        cumulative += buckets.counts[index] ?? 0;
        values.push({ metricName: bucket, labels: { ...labels, le }, value: cumulative });
      });
      values.push(
        { metricName: bucket, labels: { ...labels, le: '+Inf' }, value: buckets.count },
        { metricName: `${this.name}_sum`, labels: { ...labels }, value: buckets.sum },
        { metricName: `${this.name}_count`, labels: { ...labels }, value: buckets.count },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.table.series) this.bucketsOf(series).reset();
  }
}
