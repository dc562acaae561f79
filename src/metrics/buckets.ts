import { ConfigurationError } from '../errors.js';

/**
 * One histogram series kept as plain numbers: a count per bucket, the sum and the count.
 * prom-client's own `histogram.labels(...).observe(v)` validates and hashes the labels on
 * every call, about 430 ns on the bench machine; a worker observes two histograms per job
 * and spends about 31 µs on it, so that alone would be 3% of its CPU. Here an observation is
 * a short loop over the bounds and three additions (under 10 ns); the registry reads the
 * series only when scraped (histogram-metric.ts).
 */
export class Buckets {
  /** Observations per bucket, not cumulative: `counts[i]` for values in (bounds[i-1], bounds[i]], the last for values above every bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** Refuses bucket bounds Prometheus cannot use: none, not finite, or not strictly increasing. */
export function checkBounds(what: string, bounds: readonly number[]): readonly number[] {
  const ok = bounds.length > 0 && bounds.every((bound, i) => Number.isFinite(bound) && (i === 0 || bound > (bounds[i - 1] as number)));
  if (!ok) throw new ConfigurationError(`${what} must be finite numbers in increasing order, not ${JSON.stringify(bounds)}`);
  return Object.freeze([...bounds]);
}
