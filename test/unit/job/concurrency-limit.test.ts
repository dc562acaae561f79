import { describe, expect, it } from 'vitest';
import { ConfigurationError, Job } from '../../../src/index.js';
import { SlotLocks } from '../../../src/amqp/slot-locks.js';
import { concurrencyLimitOf, limitKeyOf as concurrencyKeyOf, rateLimitOf } from '../../../src/job/flow-limits.js';
import { RatePermits } from '../../../src/amqp/rate-permits.js';

describe('static concurrency', () => {
  it('is read once per class, inherited, and refused when the limit is not a whole number in range', () => {
    class SyncJob extends Job {
      static override concurrency = { key: (account: string) => account, limit: 2 };
      perform(_account: string): void {}
    }
    class ChildJob extends SyncJob {}
    class PlainJob extends Job {
      perform(): void {}
    }
    expect(concurrencyLimitOf(SyncJob, 100)?.limit).toBe(2);
    expect(concurrencyLimitOf(ChildJob, 100)?.limit).toBe(2);
    expect(concurrencyLimitOf(PlainJob, 100)).toBeUndefined();
    for (const limit of [0, 1.5, 101, Number.NaN]) {
      class BadJob extends Job {
        static override concurrency = { limit };
        perform(): void {}
      }
      expect(() => concurrencyLimitOf(BadJob, 100)).toThrow(ConfigurationError);
    }
  });

  it('keys jobs by what key returns (text or number); without key the class shares one limit', () => {
    const limit = { key: (_label: string, account: number) => account, limit: 1 };
    expect(concurrencyKeyOf(limit as never, ['x', 42])).toBe('42');
    expect(concurrencyKeyOf({ limit: 3 }, ['anything'])).toBe('');
    expect(() => concurrencyKeyOf({ key: (() => ({})) as never, limit: 1 }, [])).toThrow(/string or a finite number/);
  });

  it("slot queue names are per class and key, fit the broker's 255 bytes, and do not mix keys", () => {
    const a = SlotLocks.slotBase('SyncJob', 'acme');
    expect(a).toMatch(/^warren\.slot\.SyncJob\.[0-9a-f]{32}$/);
    expect(SlotLocks.slotBase('SyncJob', 'globex')).not.toBe(a);
    expect(SlotLocks.slotBase('Sync', 'Jobacme')).not.toBe(SlotLocks.slotBase('SyncJob', 'acme'));
    expect(Buffer.byteLength(`${SlotLocks.slotBase('Ünïcode::'.repeat(40), 'k')}.99`)).toBeLessThanOrEqual(255);
  });
});

describe('static rateLimit', () => {
  it('is validated once per class: limit and window whole and in range', () => {
    class ApiJob extends Job {
      static override rateLimit = { key: (apiKey: string) => apiKey, limit: 100, per: 60_000 };
      perform(_apiKey: string): void {}
    }
    expect(rateLimitOf(ApiJob, 100_000)).toMatchObject({ limit: 100, per: 60_000 });
    for (const [limit, per] of [
      [0, 1_000],
      [10, 0],
      [10, 1.5],
      [200_000, 1_000],
    ] as const) {
      class BadJob extends Job {
        static override rateLimit = { limit, per };
        perform(): void {}
      }
      expect(() => rateLimitOf(BadJob, 100_000)).toThrow(ConfigurationError);
    }
  });

  it('keeps a permit queue per class, key, limit and window', () => {
    const name = RatePermits.queueName('ApiJob', 'key-1', 100, 60_000);
    expect(name).toMatch(/^warren\.rate\.ApiJob\.[0-9a-f]{32}\.100-60000-s1000$/);
    expect(RatePermits.queueName('ApiJob', 'key-1', 50, 60_000)).not.toBe(name);
    expect(RatePermits.queueName('ApiJob', 'key-2', 100, 60_000)).not.toBe(name);
  });

  it('lets a granted job start up to 2% of its window after the permit was sent, at least 20 ms and at most 1 s', () => {
    expect(RatePermits.startToleranceMs(1_000)).toBe(20);
    expect(RatePermits.startToleranceMs(100)).toBe(20);
    expect(RatePermits.startToleranceMs(5_000)).toBe(100);
    expect(RatePermits.startToleranceMs(3_600_000)).toBe(1_000);
  });
});
