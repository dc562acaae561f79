import { describe, expect, it } from 'vitest';
import { CalendarDate, Decimal, Duration, RubyDateTime, RubySymbol, ZonedTime } from '../../../src/index.js';
import { SECONDS_PER_UNIT } from '../../../src/envelope/values/duration.js';
import { parseIsoTime } from '../../../src/envelope/values/iso-time.js';

describe('ZonedTime', () => {
  it('writes a zone time as Rails TimeWithZone#iso8601(9) does, with the zone offset at that instant', () => {
    const summer = ZonedTime.fromDate(new Date('2024-07-01T12:00:00.250Z'), 'America/New_York');
    const winter = ZonedTime.fromDate(new Date('2024-01-01T12:00:00Z'), 'America/New_York');
    expect(summer.iso).toBe('2024-07-01T08:00:00.250000000-04:00');
    expect(winter.iso).toBe('2024-01-01T07:00:00.000000000-05:00');
    expect(ZonedTime.fromDate(new Date('2024-07-01T12:00:00Z'), 'Asia/Kolkata').iso).toBe('2024-07-01T17:30:00.000000000+05:30');
  });

  it('writes "Z" for UTC zones and "+00:00" for other zones at offset zero, as Ruby does', () => {
    expect(ZonedTime.fromDate(new Date('2024-01-01T00:00:00Z'), 'Etc/UTC').iso).toBe('2024-01-01T00:00:00.000000000Z');
    expect(ZonedTime.fromDate(new Date('2024-01-01T00:00:00Z'), 'Europe/London').iso).toBe('2024-01-01T00:00:00.000000000+00:00');
  });

  it('keeps the nanoseconds Ruby wrote and gives the instant to the millisecond', () => {
    const time = new ZonedTime('2024-05-01T05:00:00.123456789-07:00', 'America/Los_Angeles');
    expect(time.nanoseconds).toBe(123_456_789);
    expect(time.offsetMinutes).toBe(-420);
    expect(time.toDate().toISOString()).toBe('2024-05-01T12:00:00.123Z');
  });

  it('refuses unknown zones and text that is not a time', () => {
    expect(() => ZonedTime.fromDate(new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => new ZonedTime('2024-05-01')).toThrow(RangeError);
  });
});

describe('ISO 8601 times', () => {
  it.each([
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00.000Z'],
    ['2024-05-01T12:00:00.5+01:00', '2024-05-01T11:00:00.500Z'],
    ['2024-05-01t12:00:00.123456789123z', '2024-05-01T12:00:00.123Z'],
    ['2024-05-01T12:00:00-0330', '2024-05-01T15:30:00.000Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('reads %s', (text, instant) => {
    expect(new Date((parseIsoTime(text) as { epochMs: number }).epochMs).toISOString()).toBe(instant);
  });

  it.each(['2024-05-01T12:00:00', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01 12:00:00Z', 'now'])(
    'refuses %s',
    (text) => {
      expect(parseIsoTime(text)).toBeUndefined();
    },
  );

  it('writes a RubyDateTime as DateTime#iso8601(9) does', () => {
    expect(RubyDateTime.fromDate(new Date('2024-05-01T12:00:00.001Z')).iso).toBe('2024-05-01T12:00:00.001000000+00:00');
  });
});

describe('CalendarDate', () => {
  it('parses and prints YYYY-MM-DD and knows leap years', () => {
    expect(CalendarDate.parse('2024-02-29').toString()).toBe('2024-02-29');
    expect(() => CalendarDate.parse('2023-02-29')).toThrow(RangeError);
    expect(() => CalendarDate.parse('2024-5-1')).toThrow(RangeError);
    expect(CalendarDate.fromDate(new Date('2024-05-01T23:59:59Z')).toDate().toISOString()).toBe('2024-05-01T00:00:00.000Z');
  });
});

describe('Duration', () => {
  it('computes value as Active Support does', () => {
    expect(Duration.of({ hours: 1, minutes: 30 }).value).toBe(5400);
    expect(Duration.months(1).value).toBe(SECONDS_PER_UNIT.months);
    expect(Duration.years(1).value).toBe(31_556_952);
    expect(Duration.minutes(2).toMilliseconds()).toBe(120_000);
  });

  it('refuses unknown units and non-finite amounts', () => {
    expect(() => new Duration(1, { fortnights: 1 } as never)).toThrow(RangeError);
    expect(() => Duration.seconds(Number.NaN)).toThrow(RangeError);
  });
});

describe('Decimal and RubySymbol', () => {
  it('keep their exact text', () => {
    expect(new Decimal('0.1000').toString()).toBe('0.1000');
    expect(new Decimal('-1.5e-3').toNumber()).toBe(-0.0015);
    expect(new Decimal('NaN').value).toBe('NaN');
    expect(() => new Decimal('1,5')).toThrow(RangeError);
    expect(new RubySymbol('a').equals(new RubySymbol('a'))).toBe(true);
  });
});
