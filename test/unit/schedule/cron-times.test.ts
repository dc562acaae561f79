import { describe, expect, it } from 'vitest';
import { ScheduleError, toSchedule, type Schedule } from '../../../src/index.js';
import { ticksIn } from '../../../src/schedule/index.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const cron = (expression: string, timezone?: string): Schedule =>
  toSchedule({ name: 'daily', cron: expression, ...(timezone && { timezone }), job: 'ReportJob' });
/** Ticks of a schedule in (from, until], as ISO strings. */
const ticks = (schedule: Schedule, from: string, until: string): string[] => ticksIn(schedule.times, at(from), at(until), 1_000).map(iso);

describe('cron tick times', () => {
  it('reads five fields in the time zone given (UTC when none)', () => {
    expect(ticks(cron('30 2 * * *'), '2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z')).toEqual(['2026-06-01T02:30:00.000Z', '2026-06-02T02:30:00.000Z']);
    expect(ticks(cron('30 2 * * *', 'Europe/Madrid'), '2026-06-01T00:00:00Z', '2026-06-02T00:00:00Z')).toEqual(['2026-06-01T00:30:00.000Z']);
  });

  it('reads six fields with seconds first', () => {
    expect(ticks(cron('*/15 * * * * *'), '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:00:45.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  it('runs a 02:30 job once on the spring-forward day, at the end of the gap (New York, 2026-03-08)', () => {
    // 00:00 EST is 05:00Z; the next midnight, in EDT, is 04:00Z.
    expect(ticks(cron('30 2 * * *', 'America/New_York'), '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toEqual(['2026-03-08T07:00:00.000Z']);
    // and the days around it at 02:30 local
    expect(ticks(cron('30 2 * * *', 'America/New_York'), '2026-03-07T05:00:00Z', '2026-03-08T05:00:00Z')).toEqual(['2026-03-07T07:30:00.000Z']);
    expect(ticks(cron('30 2 * * *', 'America/New_York'), '2026-03-09T04:00:00Z', '2026-03-10T04:00:00Z')).toEqual(['2026-03-09T06:30:00.000Z']);
  });

  it('runs a 01:30 job once on the fall-back day, when 01:30 happens twice (New York, 2026-11-01)', () => {
    expect(ticks(cron('30 1 * * *', 'America/New_York'), '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('keeps an hourly job hourly through both days: 23 runs on the short day, 25 on the long one', () => {
    const hourly = cron('0 * * * *', 'America/New_York');
    expect(ticks(hourly, '2026-03-08T04:59:59Z', '2026-03-09T03:59:59Z')).toHaveLength(23);
    const fallBack = ticks(hourly, '2026-11-01T03:59:59Z', '2026-11-02T04:59:59Z');
    expect(fallBack).toHaveLength(25);
    expect(fallBack).toContain('2026-11-01T05:00:00.000Z'); // 01:00 EDT
    expect(fallBack).toContain('2026-11-01T06:00:00.000Z'); // 01:00 EST
  });

  it('reads nicknames, names, lists, ranges and L', () => {
    expect(ticks(cron('@daily'), '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z')).toEqual(['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']);
    expect(ticks(cron('0 9 * * MON-FRI'), '2026-12-04T00:00:00Z', '2026-12-08T00:00:00Z')).toEqual(['2026-12-04T09:00:00.000Z', '2026-12-07T09:00:00.000Z']);
    expect(ticks(cron('0 0 L * *'), '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-02-28T00:00:00.000Z']);
  });

  it('puts interval ticks on whole multiples since the epoch, the same for every process', () => {
    const every = toSchedule({ name: 'ping', every: '30s', job: 'PingJob' });
    expect(ticksIn(every.times, at('2026-01-01T00:00:10Z'), at('2026-01-01T00:01:10Z'), 10).map(iso)).toEqual([
      '2026-01-01T00:00:30.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
    expect(toSchedule({ name: 'n', every: 90_000, job: 'J' }).times.nextAfter(0)).toBe(90_000);
    expect(toSchedule({ name: 'h', every: '1.5h', job: 'J' }).times.nextAfter(0)).toBe(5_400_000);
  });
});

describe('schedule definitions', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['both cron and every', { cron: '* * * * *', every: '1m' }, /exactly one of cron and every/],
    ['neither', {}, /exactly one of cron and every/],
    ['a cron croner cannot read', { cron: '61 * * * *' }, /cron "61 \* \* \* \*" is not valid/],
    ['a cron with too many fields', { cron: '* * * * * * * *' }, /is not valid/],
    ['an unknown time zone', { cron: '* * * * *', timezone: 'Mars/Olympus' }, /unknown time zone "Mars\/Olympus"/],
    ['a time zone on an interval', { every: '1m', timezone: 'UTC' }, /timezone applies to cron/],
    ['an interval that is no duration', { every: 'often' }, /every "often" is not a duration/],
    ['an interval under a second', { every: 500 }, /at least 1000/],
    ['a missed policy that is none', { every: '1m', missed: 'sometimes' }, /missed must be 'skip', 'once' or 'all'/],
    ['a maxCatchUp of 0', { every: '1m', missed: 'all', maxCatchUp: 0 }, /maxCatchUp must be a whole number from 1 to 10000/],
    ['a grace under a second', { every: '1m', graceMs: 10 }, /graceMs must be a whole number of milliseconds from 1000 to 86400000/],
    ['args that are not an array', { every: '1m', args: 'x' }, /args must be an array/],
  ];
  for (const [what, fields, message] of bad) {
    it(`refuses ${what} with a ScheduleError naming the schedule`, () => {
      let thrown: unknown;
      try {
        toSchedule({ name: 'report', job: 'ReportJob', ...fields } as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ScheduleError);
      expect((thrown as Error).message).toMatch(/^schedule "report": /);
      expect((thrown as Error).message).toMatch(message);
    });
  }

  it('refuses a name that cannot be part of a queue name and a job id', () => {
    expect(() => toSchedule({ name: 'nightly report', cron: '@daily', job: 'J' })).toThrow(/a name is 1 to 100 letters/);
    expect(() => toSchedule({ name: 'x'.repeat(101), cron: '@daily', job: 'J' })).toThrow(ScheduleError);
  });

  it('describes a schedule for listings', () => {
    expect(cron('30 2 * * *', 'Europe/Madrid').describe).toBe('cron "30 2 * * *" (Europe/Madrid)');
    expect(toSchedule({ name: 'p', every: '30s', job: 'J' }).describe).toBe('every 30s');
  });
});
