import { describe, expect, it } from 'vitest';
import { columns, duration, statsText, workersText } from '../../../src/cli/stats-text.js';
import type { WorkerHeartbeat } from '../../../src/presence/heartbeat.js';
import { countReasons, delayWindowOf, delayWindows, queueStats } from '../../../src/stats/stats-snapshot.js';

function heartbeat(overrides: Partial<WorkerHeartbeat> = {}): WorkerHeartbeat {
  return {
    id: 'host:1:abcd',
    host: 'host',
    pid: 1,
    version: '0.1.0',
    queues: ['default'],
    concurrency: 5,
    busy: 0,
    running: [],
    performed: 0,
    failed: 0,
    startedAt: '2026-12-06T10:00:00.000Z',
    sentAt: '2026-12-06T10:05:00.000Z',
    state: 'running',
    queueStats: {},
    cancels: [],
    retries: [],
    ...overrides,
  };
}

describe('delayed jobs per due window', () => {
  it('puts a ladder level in the first window that holds its longest wait, 2^(level+1) ms', () => {
    expect(delayWindowOf(5).window).toBe('< 1 min'); // 64 ms
    expect(delayWindowOf(14).window).toBe('< 1 min'); // 32.8 s
    expect(delayWindowOf(15).window).toBe('< 1 hour'); // 65.5 s
    expect(delayWindowOf(20).window).toBe('< 1 hour'); // 35 min
    expect(delayWindowOf(21).window).toBe('< 1 day'); // 70 min
    expect(delayWindowOf(28).window).toBe('< 1 week'); // 6.2 days
    expect(delayWindowOf(29).window).toBe('< 90 days'); // 12.4 days
    expect(delayWindowOf(31).window).toBe('< 90 days'); // 49.7 days
    expect(delayWindowOf(32).window).toBe('later'); // 99.4 days
    expect(delayWindowOf(35).window).toBe('later');
  });

  it('sums levels per window, soonest first, the due queue first, empty windows left out', () => {
    const levels = new Map([
      [-1, 2],
      [20, 1],
      [16, 4],
      [5, 0],
      [35, 7],
    ]);
    expect(delayWindows(levels)).toEqual([
      { window: 'due now', upToMs: 0, messages: 2 },
      { window: '< 1 hour', upToMs: 3_600_000, messages: 5 },
      { window: 'later', upToMs: Number.POSITIVE_INFINITY, messages: 7 },
    ]);
    expect(delayWindows(new Map())).toEqual([]);
  });
});

describe('a queue from two readings and the heartbeats', () => {
  const worker = heartbeat({
    queues: ['mail'],
    running: [{ jobClass: 'MailJob', jobId: 'j1', queue: 'mail', executions: 1, startedAt: '2026-12-06T10:04:59.000Z' }],
    queueStats: { mail: { performed: 100, failed: 1, latencyMs: 250, performedPerSecond: 10 } },
  });

  it('adds the ack rate to the change of ready for the arrival rate, and sums running jobs and ack rates over workers', () => {
    const other = heartbeat({ id: 'host:2:ef', queues: ['mail'], queueStats: { mail: { performed: 5, failed: 0, latencyMs: 900, performedPerSecond: 2.5 } } });
    const stats = queueStats({ name: 'mail', ready: 40, consumers: 2, at: 3_000 }, { name: 'mail', ready: 20, consumers: 2, at: 1_000 }, [worker, other]);
    expect(stats).toEqual({ name: 'mail', ready: 40, unacked: 1, consumers: 2, performedPerSecond: 12.5, enqueuedPerSecond: 22.5, latencyMs: 900 });
  });

  it('says 0 latency for an empty queue and leaves unknown what no worker reports', () => {
    expect(queueStats({ name: 'mail', ready: 0, consumers: 1, at: 1 }, undefined, [worker])).toMatchObject({ latencyMs: 0, enqueuedPerSecond: undefined });
    expect(queueStats({ name: 'other', ready: 3, consumers: 0, at: 1 }, undefined, [worker])).toEqual({
      name: 'other',
      ready: 3,
      unacked: undefined,
      consumers: 0,
      performedPerSecond: undefined,
      enqueuedPerSecond: undefined,
      latencyMs: undefined,
    });
  });

  it('never reports a negative arrival rate (a queue drained faster than workers reported)', () => {
    expect(queueStats({ name: 'x', ready: 0, consumers: 0, at: 2_000 }, { name: 'x', ready: 100, consumers: 0, at: 1_000 }, []).enqueuedPerSecond).toBe(0);
  });

  it('ignores stopped workers', () => {
    expect(queueStats({ name: 'mail', ready: 1, consumers: 0, at: 1 }, undefined, [{ ...worker, state: 'stopped' }]).unacked).toBeUndefined();
  });
});

describe('stats as text', () => {
  it('formats durations and columns', () => {
    expect([duration(undefined), duration(350), duration(4_200), duration(720_000), duration(12_600_000), duration(181_440_000)]).toEqual([
      '?',
      '350 ms',
      '4.2 s',
      '12.0 min',
      '3.5 h',
      '2.1 d',
    ]);
    expect(
      columns(
        [
          ['a', '1'],
          ['long', '100'],
        ],
        new Set([1]),
      ),
    ).toEqual(['a       1', 'long  100']);
  });

  it('groups warren queues into two lines and lists workers with their running jobs, control characters replaced', () => {
    const text = statsText(
      {
        takenAt: '2026-12-06T10:05:00.000Z',
        queues: [{ name: 'mail', ready: 1200, unacked: 1, consumers: 2, performedPerSecond: 10, enqueuedPerSecond: 12.25, latencyMs: 250 }],
        delayed: [{ window: '< 1 hour', upToMs: 3_600_000, messages: 5 }],
        deadLetters: { total: 3, byReason: { failed: 2, deserialization: 1 }, scanned: 3 },
        workers: [
          heartbeat({
            id: 'host:1:ab\u001b[31m',
            busy: 1,
            running: [{ jobClass: 'MailJob', jobId: 'j1', queue: 'mail', executions: 1, startedAt: '2026-12-06T10:04:00.000Z', progress: { sent: 10 } }],
          }),
        ],
      },
      'warren.dead',
      Date.parse('2026-12-06T10:05:00.000Z'),
    );
    expect(text).toContain('mail   1,200        1          2  12.3     10.0   250 ms');
    expect(text).toContain('delayed jobs and retries (the delay ladder): 5  (< 1 hour: 5)');
    expect(text).toContain('dead letters (warren.dead): 3  (failed: 2, deserialization: 1)');
    expect(text).toContain('host:1:ab?[31m  running');
    expect(text).toContain('MailJob j1  queue=mail  running 1.0 min  progress {"sent":10}');
    expect(workersText([])).toEqual(['no live workers (none sent a heartbeat lately)']);
  });

  it('counts reasons', () => {
    expect(countReasons(['failed', 'failed', 'too-large'])).toEqual({ failed: 2, 'too-large': 1 });
  });
});
