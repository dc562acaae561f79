// What pauses a process while the latency stage measures it: garbage-collection pauses (a
// PerformanceObserver of `gc` entries) and the event loop's delay (monitorEventLoopDelay).
// A job enqueued or delivered during a pause waits for it: these figures tell the latency
// tail of each process apart (bench/README.md, "The latency tail").
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { PauseSummary } from './protocol.js';

const LONG_PAUSE_MS = 2;

export class PauseMeter {
  private readonly pauses: number[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.pauses.push(entry.duration);
  });
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  private startedAt = 0;
  private running = false;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = performance.now();
    this.observer.observe({ entryTypes: ['gc'] });
    this.loopDelay.enable();
  }

  /** The figures since start(); undefined if it never started. */
  stop(): PauseSummary | undefined {
    if (!this.running) return undefined;
    this.running = false;
    // gc entries arrive on a later turn: read what was queued before disconnecting.
    for (const entry of this.observer.takeRecords?.() ?? []) this.pauses.push(entry.duration);
    this.observer.disconnect();
    this.loopDelay.disable();
    const seconds = (performance.now() - this.startedAt) / 1000;
    return {
      seconds,
      gcPauses: this.pauses.length,
      gcTotalMs: this.pauses.reduce((sum, ms) => sum + ms, 0),
      gcMaxMs: this.pauses.length ? Math.max(...this.pauses) : 0,
      gcLongPauses: this.pauses.filter((ms) => ms > LONG_PAUSE_MS).length,
      loopDelayP99Ms: this.loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: this.loopDelay.max / 1e6,
    };
  }
}
