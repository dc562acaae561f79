import { describe, expect, it } from 'vitest';
import {
  compensatedLadderDelay,
  delayQueueNameProblem,
  delayRoutingKeys,
  levelsOf,
  maxUsableLadderDelayMs,
  popcount,
  waitsInLevel,
} from '../../../src/amqp/delay/levels.js';

const compensation = { hopAllowanceMs: 4, fixedAllowanceMs: 2, levels: 36 };

describe('delay ladder arithmetic', () => {
  it('36 levels of 1 ms cover more than two years', () => {
    expect(maxUsableLadderDelayMs(36)).toBe(2 ** 36 - 1);
    expect(maxUsableLadderDelayMs(36, 5) / (365 * 24 * 3600 * 1000)).toBeGreaterThan(2.17);
  });

  it('a delay waits in the levels of its set bits, highest first, with one routing key per hop and one for its queue', () => {
    expect(popcount(5)).toBe(2);
    expect(waitsInLevel(5, 2)).toBe(true);
    expect(waitsInLevel(5, 1)).toBe(false);
    expect(levelsOf(5, 36)).toEqual([2, 0]);
    expect(levelsOf(2 ** 35, 36)).toEqual([35]);
    expect(delayRoutingKeys('mail.ers', 5, 36)).toEqual(['in>2', '2>0', '=mail.ers']);
    expect(delayRoutingKeys('jobs', 2 ** 20 + 2 ** 7 + 8, 36)).toEqual(['in>20', '20>7', '7>3', '=jobs']);
  });

  it('the ladder delay plus the allowance per hop never exceeds the delay, and wastes little of it', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 5_000; i += 1) {
      const delay = Math.floor(random() ** 4 * 3_600_000) + 1;
      const ladder = compensatedLadderDelay(delay, compensation);
      expect(ladder).toBeGreaterThanOrEqual(0);
      if (ladder > 0) expect(ladder + 4 * popcount(ladder) + 2).toBeLessThanOrEqual(delay);
      // Early by at most the allowance of a full ladder (plus rounding), so the worker's hold stays short.
      expect(delay - ladder).toBeLessThanOrEqual(2 + 4 * 36 + 4);
    }
  });

  it('with a lowest level, ladder delays are multiples of its TTL and still never exceed the delay', () => {
    const coarse = { ...compensation, lowestLevel: 5 };
    for (let delay = 1; delay < 5_000; delay += 7) {
      const ladder = compensatedLadderDelay(delay, coarse);
      expect(ladder % 32).toBe(0);
      if (ladder > 0) expect(ladder + 4 * popcount(ladder) + 2).toBeLessThanOrEqual(delay);
      expect(delay - ladder).toBeLessThan(32 + 2 + 4 * 8 + 32);
    }
  });

  it('delays too short for one hop are not sent through the ladder', () => {
    expect(compensatedLadderDelay(1, compensation)).toBe(0);
    expect(compensatedLadderDelay(6, compensation)).toBe(0);
    expect(compensatedLadderDelay(7, compensation)).toBe(1);
  });

  it('delays longer than the ladder wait its maximum', () => {
    expect(compensatedLadderDelay(10 * 365 * 24 * 3600 * 1000, compensation)).toBe(maxUsableLadderDelayMs(36));
  });

  it('refuses only queue names too long to be a routing key; dots and wildcards are plain characters', () => {
    expect(delayQueueNameProblem('mailers')).toBeUndefined();
    expect(delayQueueNameProblem('mail.*.#')).toBeUndefined();
    expect(delayQueueNameProblem('x'.repeat(254))).toBeUndefined();
    expect(delayQueueNameProblem('x'.repeat(255))).toMatch(/at most 254 bytes/);
  });
});
