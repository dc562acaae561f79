import type { Logger } from 'pino';
import { redactError } from '../support/redact.js';
import { StatsHistory } from './sampler.js';
import type { DashboardSources, StatsSnapshot, WorkerHeartbeat } from './sources.js';

export interface DashboardDataOptions {
  open: () => Promise<DashboardSources>;
  sampleIntervalMs: number;
  historyMs: number;
  snapshotMaxAgeMs: number;
  logger: Logger;
}

/**
 * The dashboard's hold on the broker: its sources, opened at creation (and again on the next
 * request after a failure), the stats sampled every interval for the chart, and the last
 * snapshot, shared by the pages asked for within DEFAULTS.web.snapshotMaxAgeMs of it.
 */
export class DashboardData {
  readonly history: StatsHistory;
  private opening: Promise<DashboardSources> | undefined;
  private warmup: Promise<unknown> | undefined;
  private last: { at: number; snapshot: Promise<StatsSnapshot> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: DashboardDataOptions) {
    this.history = new StatsHistory(options.sampleIntervalMs, options.historyMs);
  }

  /** Opens the sources and starts sampling. */
  start(): void {
    void this.sources().catch(() => {});
    this.timer = setInterval(() => void this.snapshot().catch(() => {}), this.options.sampleIntervalMs);
    this.timer.unref();
  }

  /** The sources, opening them if they are not (a failed opening is tried again by the next caller). */
  sources(): Promise<DashboardSources> {
    if (this.closed) return Promise.reject(new Error('the dashboard is closed'));
    if (!this.opening) {
      const opening = this.options.open();
      this.opening = opening;
      opening.then(
        (sources) => {
          // Heartbeats come every few seconds: ping the workers so the first page lists them all.
          this.warmup = sources.workers.workers({ refresh: true }).catch(() => {});
          void this.snapshot().catch(() => {});
        },
        (error: unknown) => {
          if (this.opening === opening) this.opening = undefined;
          this.options.logger.warn({ err: redactError(error) }, 'dashboard: cannot reach the broker');
        },
      );
    }
    return this.opening;
  }

  /** A stats snapshot no older than snapshotMaxAgeMs; each new one is a point of the chart. */
  snapshot(): Promise<StatsSnapshot> {
    const now = Date.now();
    if (this.last && now - this.last.at < this.options.snapshotMaxAgeMs) return this.last.snapshot;
    const snapshot = this.sources().then(async (sources) => {
      await this.warmup;
      const taken = await sources.stats.snapshot();
      this.history.add(taken);
      return taken;
    });
    this.last = { at: now, snapshot };
    snapshot.catch(() => {
      if (this.last?.snapshot === snapshot) this.last = undefined;
    });
    return snapshot;
  }

  /** The live workers, straight from their heartbeats. */
  async workers(): Promise<WorkerHeartbeat[]> {
    const sources = await this.sources();
    await this.warmup;
    return sources.workers.workers();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const opening = this.opening;
    this.opening = undefined;
    const sources = await opening?.catch(() => undefined);
    await this.last?.snapshot.catch(() => {});
    if (!sources) return;
    await Promise.allSettled([sources.stats.close(), sources.deadLetters.close()]);
    await sources.workers.close().catch(() => {});
  }
}
