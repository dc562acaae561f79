// The overview chart's pieces: samples from snapshots, the span drawn, the SVG.
import { describe, expect, it } from 'vitest';
import { chartSpan, lineChart, spanLabel } from '../../src/web/chart.js';
import { type Sample, sampleOf, StatsHistory } from '../../src/web/sampler.js';
import type { StatsSnapshot } from '../../src/web/sources.js';
import { heartbeat } from './fake-sources.js';

function snapshot(at: number, failed: number, performedPerSecond: number | undefined): StatsSnapshot {
  return {
    takenAt: new Date(at).toISOString(),
    queues: [
      { name: 'a', ready: 2, unacked: 0, consumers: 1, performedPerSecond, enqueuedPerSecond: undefined, latencyMs: undefined },
      { name: 'b', ready: 3, unacked: 0, consumers: 1, performedPerSecond: 1, enqueuedPerSecond: undefined, latencyMs: undefined },
    ],
    delayed: [],
    deadLetters: { total: 4, byReason: {}, scanned: 4 },
    workers: [heartbeat({ failed, busy: 2 })],
  };
}

describe('the overview chart', () => {
  it('derives rates from snapshots; a worker counter that went down counts as no failure', () => {
    const first = sampleOf(snapshot(0, 10, 2), undefined);
    expect(first).toMatchObject({ performedPerSecond: 3, enqueuedPerSecond: undefined, failedPerSecond: undefined, ready: 5, deadLetters: 4, running: 2 });
    expect(sampleOf(snapshot(10_000, 30, undefined), first)).toMatchObject({ performedPerSecond: 1, failedPerSecond: 2 });
    expect(sampleOf(snapshot(10_000, 3, 0), first).failedPerSecond).toBe(0);
  });

  it('keeps the last hour, one sample per interval', () => {
    const history = new StatsHistory(1_000, 60 * 60_000);
    history.add(snapshot(0, 0, 1));
    history.add(snapshot(100, 0, 1));
    history.add(snapshot(1_000, 0, 1));
    expect(history.all().map((sample) => sample.at)).toEqual([0, 1_000]);
    history.add(snapshot(60 * 60_000 + 500, 0, 1));
    expect(history.all().map((sample) => sample.at)).toEqual([1_000, 60 * 60_000 + 500]);
  });

  it('spans the samples it has (1, 2, 5 .. 60 minutes) and draws gaps where samples are missing', () => {
    const at = (ms: number, value: number | undefined): Sample => ({
      at: ms,
      performedPerSecond: value,
      enqueuedPerSecond: undefined,
      failedPerSecond: undefined,
      ready: 0,
      deadLetters: 0,
      workers: 1,
      running: 0,
      failedCounter: 0,
    });
    const now = 10 * 60_000;
    expect(chartSpan([], now, 60 * 60_000)).toBe(60_000);
    expect(chartSpan([at(now - 90_000, 1)], now, 60 * 60_000)).toBe(2 * 60_000);
    expect(chartSpan([at(now - 7 * 60_000, 1)], now, 60 * 60_000)).toBe(10 * 60_000);
    expect(chartSpan([at(0, 1)], 5 * 60 * 60_000, 60 * 60_000)).toBe(60 * 60_000);
    expect(spanLabel(60 * 60_000)).toBe('hour');
    expect(spanLabel(2 * 60_000)).toBe('2 minutes');
    const samples = [at(now - 50_000, 1), at(now - 40_000, 2), at(now - 30_000, undefined), at(now - 20_000, 4), at(now - 10_000, 3)];
    const svg = lineChart(
      'Jobs <per> second',
      samples,
      [{ label: 'performed/s', className: 'series-1', value: (sample) => sample.performedPerSecond }],
      now,
      60_000,
    ).value;
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('aria-label="Jobs &lt;per&gt; second"');
    expect(svg).toContain('−30 s');
    expect(svg).not.toContain('style=');
  });
});
