import { describe, expect, it } from 'vitest';
import { fixedDelay, jitterFor, retryDelay } from '../../../src/job/backoff.js';
import { polynomiallyLonger } from '../../../src/index.js';

describe('retry backoff', () => {
  it("follows Active Job's polynomially longer formula in milliseconds: (n^4 + 2) s without jitter", () => {
    expect([1, 2, 3, 4, 5].map((n) => polynomiallyLonger(n, 0))).toEqual([3_000, 18_000, 83_000, 258_000, 627_000]);
  });

  it('adds up to jitter * n^4 seconds of random extra delay to polynomially longer waits', () => {
    expect(polynomiallyLonger(2, 0.15, () => 0)).toBe(18_000);
    expect(polynomiallyLonger(2, 0.15, () => 0.5)).toBe(19_200); // 16 + 0.5 * 16 * 0.15 + 2 = 19.2 s
    expect(polynomiallyLonger(2, 0.15, () => 0.999999)).toBeLessThanOrEqual(20_400);
  });

  it('adds jitter as a fraction of a fixed delay', () => {
    expect(fixedDelay(3_000, 0.15, () => 0)).toBe(3_000);
    expect(fixedDelay(3_000, 0.15, () => 1)).toBe(3_450);
    expect(jitterFor(1_000, 0, () => 1)).toBe(0);
  });

  it('calls a wait function with the execution count and adds no jitter to it', () => {
    const wait = (executions: number): number => executions * 1_000;
    expect(retryDelay(wait, 3, 0.15, () => 1)).toBe(3_000);
  });

  it('never returns a negative delay from a wait function', () => {
    expect(retryDelay(() => -50, 1, 0)).toBe(0);
  });

  it('dispatches on the kind of wait', () => {
    expect(retryDelay(500, 1, 0)).toBe(500);
    expect(retryDelay('polynomiallyLonger', 1, 0)).toBe(3_000);
  });
});
