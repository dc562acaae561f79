import { describe, expect, it } from 'vitest';
import { toBrokerPriority } from '../../../src/index.js';
import { unprioritizedBrokerPriority } from '../../../src/topology/index.js';

describe('toBrokerPriority (Active Job: lower is more important; RabbitMQ: higher is delivered first)', () => {
  it('maps Active Job priority p to maxPriority - p, so 0 is delivered first', () => {
    expect([0, 1, 5, 9, 10].map((priority) => toBrokerPriority(priority, 10))).toEqual([10, 9, 5, 1, 0]);
  });

  it('clamps priorities outside 0..maxPriority', () => {
    expect(toBrokerPriority(-3, 10)).toBe(10);
    expect(toBrokerPriority(25, 10)).toBe(0);
    expect(toBrokerPriority(7, 5)).toBe(0);
  });

  it('rounds fractional priorities', () => {
    expect(toBrokerPriority(2.4, 10)).toBe(8);
    expect(toBrokerPriority(2.6, 10)).toBe(7);
  });

  it('puts a job without a priority in the middle: floor(maxPriority / 2)', () => {
    expect(toBrokerPriority(null, 10)).toBe(5);
    expect(toBrokerPriority(undefined, 10)).toBe(5);
    expect(toBrokerPriority(null, 5)).toBe(2);
    expect(toBrokerPriority(null, 1)).toBe(0);
    expect(unprioritizedBrokerPriority(255)).toBe(127);
  });

  it('orders more important jobs before unprioritized ones, and less important ones after', () => {
    const unprioritized = toBrokerPriority(null, 10) ?? -1;
    expect(toBrokerPriority(0, 10)).toBeGreaterThan(unprioritized);
    expect(toBrokerPriority(10, 10)).toBeLessThan(unprioritized);
  });

  it('returns undefined for a queue without a max priority (publish without a priority)', () => {
    expect(toBrokerPriority(1, undefined)).toBeUndefined();
    expect(toBrokerPriority(null, undefined)).toBeUndefined();
    expect(toBrokerPriority(1, 0)).toBeUndefined();
  });

  it('treats a non-finite priority as no priority', () => {
    expect(toBrokerPriority(Number.NaN, 10)).toBe(5);
  });
});
