// Every sample of a comparison run, by variant and figure.
import { Samples } from './summary.js';
import type { Variant } from './stages.js';

/**
 * The figures of one variant. `drain×N`, `cpu×N` and `broker×N` are the scale stage with N
 * worker processes (`×N/Qq`: on Q queues); `broker` is the broker's CPU per job.
 */
export type Figure =
  | 'enqueueSingle'
  | 'enqueueInFlight'
  | 'producerCpuInFlight'
  | 'enqueueBulk'
  | 'drain'
  | 'cpu'
  | 'broker'
  | 'rss'
  | 'p50'
  | 'p95'
  | 'p99'
  | `${'drain' | 'cpu' | 'broker'}×${string}`
  | PauseFigure;

/** Latency stage: what paused the worker or the producer (bench/compare/pauses.ts). */
export type PauseFigure = `${'worker' | 'producer'}:${'gcMsPerSecond' | 'gcMaxMs' | 'gcLongPerSecond' | 'loopDelayP99Ms'}`;

export class Results {
  private readonly byVariant = new Map<string, Map<Figure, Samples>>();

  /** The samples of a figure, created empty on first use. */
  series(variant: Variant, figure: Figure): Samples {
    let byFigure = this.byVariant.get(variant.label);
    if (!byFigure) this.byVariant.set(variant.label, (byFigure = new Map()));
    let found = byFigure.get(figure);
    if (!found) byFigure.set(figure, (found = new Samples()));
    return found;
  }

  get(variant: Variant, figure: Figure): Samples | undefined {
    return this.byVariant.get(variant.label)?.get(figure);
  }

  /** Every distinct failure message (they name the row, or the child process that failed). */
  failures(): string[] {
    const lines = new Set<string>();
    for (const byFigure of this.byVariant.values()) for (const samples of byFigure.values()) for (const failure of samples.failures) lines.add(failure);
    return [...lines];
  }
}

/** The drain, worker CPU and broker CPU figures of a worker count on a number of queues (1 and 1: the main table's). */
const scaled =
  (figure: 'drain' | 'cpu' | 'broker') =>
  (workers: number, queues = 1): Figure =>
    workers === 1 && queues === 1 ? figure : `${figure}×${workers}${queues > 1 ? `/${queues}q` : ''}`;
export const drainFigure = scaled('drain');
export const cpuFigure = scaled('cpu');
export const brokerCpuFigure = scaled('broker');
