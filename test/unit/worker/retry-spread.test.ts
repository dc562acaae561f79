// The spread of refused starts (rate permits, concurrency slots): it widens while most attempts are refused (a
// backlog), narrows as they are granted again or stop coming, stays within 1 and
// DEFAULTS.flow.retryMaxSpread windows, and moves at most 2x per window.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { RetrySpread } from '../../../src/worker/retry-spread.js';

const PER = 1_000;

/** Feeds one window of `attempts` of which `granted` were granted, starting at `at`; returns the spread after it. */
function windowOf(spread: RetrySpread, at: number, attempts: number, granted: number): number {
  let span = 0;
  for (let n = 0; n < attempts; n += 1) span = spread.record('k', PER, n < granted, at + (n * (PER - 1)) / attempts);
  return span;
}

describe('RetrySpread', () => {
  it('starts at one window, and stays there while attempts are about twice the grants', () => {
    const spread = new RetrySpread();
    expect(spread.record('k', PER, true, 0)).toBe(1);
    for (let w = 1; w <= 5; w += 1) windowOf(spread, w * PER, 100, 50);
    expect(spread.record('k', PER, true, 6 * PER)).toBe(1);
  });

  it('widens at most 2x per window while most attempts are refused, up to the widest spread', () => {
    const spread = new RetrySpread();
    const spans = [1, 2, 3, 4, 5, 6].map((w) => windowOf(spread, w * PER, 1_000, 50));
    // The first window closes at the first attempt of the second: 1, then 2, 4, 8, then the cap.
    expect(spans).toEqual([1, 2, 4, 8, DEFAULTS.flow.retryMaxSpread, DEFAULTS.flow.retryMaxSpread]);
  });

  it('narrows again as attempts fall to the grants (the backlog drains), never under one window', () => {
    const spread = new RetrySpread();
    for (let w = 1; w <= 5; w += 1) windowOf(spread, w * PER, 1_000, 50);
    const spans = [6, 7, 8, 9, 10].map((w) => windowOf(spread, w * PER, 50, 50));
    expect(spans[0]).toBe(DEFAULTS.flow.retryMaxSpread); // the window of 1,000 attempts closes here
    expect(spans.slice(1)).toEqual([5, 2.5, 1.25, 1]);
  });

  it('narrows for every window in which nothing came, and ignores windows of too few attempts', () => {
    const spread = new RetrySpread();
    for (let w = 1; w <= 3; w += 1) windowOf(spread, w * PER, 1_000, 50);
    expect(spread.record('k', PER, false, 4 * PER)).toBe(8);
    // Three windows without any attempt: 8 / 2 / 2 / 2 (the window of one attempt changes nothing).
    expect(spread.record('k', PER, false, 8 * PER)).toBe(1);
  });

  it('keeps keys apart, and a window with no grant at all widens it', () => {
    const spread = new RetrySpread();
    for (let n = 0; n < 10; n += 1) spread.record('a', PER, false, n);
    expect(spread.record('a', PER, false, PER)).toBe(2);
    expect(spread.record('b', PER, false, PER)).toBe(1);
  });
});
