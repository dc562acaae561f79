import { describe, expect, it } from 'vitest';
import { arrivalDecision, dueAtOf, waitUntilDue } from '../../../src/amqp/delay/hold.js';
import { DELAY_HEADERS } from '../../../src/index.js';

describe('holding early deliveries', () => {
  it('reads the due time from the header, as a number or a numeric string', () => {
    expect(dueAtOf({ [DELAY_HEADERS.dueAt]: 1_700_000_000_123 })).toBe(1_700_000_000_123);
    expect(dueAtOf({ [DELAY_HEADERS.dueAt]: '1700000000123' })).toBe(1_700_000_000_123);
    expect(dueAtOf({ [DELAY_HEADERS.dueAt]: 'soon' })).toBeUndefined();
    expect(dueAtOf({})).toBeUndefined();
    expect(dueAtOf(undefined)).toBeUndefined();
  });

  it('runs due jobs, holds slightly early ones and sends very early ones round the ladder again', () => {
    expect(arrivalDecision(undefined, 1_000, 500)).toEqual({ action: 'run' });
    expect(arrivalDecision(1_000, 1_000, 500)).toEqual({ action: 'run' });
    expect(arrivalDecision(1_200, 1_000, 500)).toEqual({ action: 'hold', waitMs: 200 });
    expect(arrivalDecision(1_500, 1_000, 500)).toEqual({ action: 'hold', waitMs: 500 });
    expect(arrivalDecision(1_501, 1_000, 500)).toEqual({ action: 'redelay', dueAt: 1_501 });
  });

  it('waits until the clock reaches the due time, never returning before it', async () => {
    for (let i = 0; i < 20; i += 1) {
      const dueAt = Date.now() + (i % 5) * 3;
      expect(await waitUntilDue(dueAt)).toBe(true);
      expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
    }
  });

  it('stops waiting when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = waitUntilDue(Date.now() + 60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });
});
