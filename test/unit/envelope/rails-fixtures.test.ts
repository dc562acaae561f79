import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  asKeywordArguments,
  CalendarDate,
  Decimal,
  deserializeArguments,
  Duration,
  jsonCodec,
  registerLocator,
  RubyDateTime,
  rubyHashForm,
  RubyRange,
  RubySymbol,
  serializeArguments,
  withIndifferentAccess,
  withSymbolKeys,
  ZonedTime,
} from '../../../src/index.js';
import { resetArgumentRegistries } from '../../../src/testing/index.js';
import { parseJson, stringifyJson } from '../../../src/envelope/lossless-json.js';
import { USERS } from '../../support/users.js';

/** Envelopes exactly as Rails writes them (hand-written from ActiveJob::Core#serialize and the serializers). */
function fixture(version: '6.1' | '7.1'): { body: Buffer; text: string } {
  const text = readFileSync(new URL(`./fixtures/rails-${version}.json`, import.meta.url), 'utf8');
  return { body: Buffer.from(text), text };
}

/** Compact JSON text of the fixture, keeping its key order and big integers. */
function compact(text: string): string {
  return stringifyJson(parseJson(text));
}

beforeEach(() => {
  resetArgumentRegistries();
  registerLocator('User', { find: (id) => USERS.get(id) });
});

describe('a Rails 7.1 envelope', () => {
  const values7 = [
    USERS.get('42'),
    new RubySymbol('weekly'),
    new CalendarDate(2024, 5, 1),
    new Date('2024-05-01T12:00:00.123Z'),
    new RubyDateTime('2024-05-01T12:00:00.000000000+02:00'),
    ZonedTime.fromDate(new Date('2024-05-01T12:00:00Z'), 'America/Los_Angeles'),
    ZonedTime.fromDate(new Date('2024-05-01T12:00:00Z'), 'Etc/UTC'),
    Duration.of({ hours: 1, minutes: 30 }),
    new Decimal('12.5'),
    new RubyRange(1, 10, true),
    12345678901234567890n,
    1.5,
    withSymbolKeys({ plan: 'pro', limits: withSymbolKeys({ seats: 5 }) }, ['limits']),
    [1, 'two', null, true],
    asKeywordArguments({ notify: true }),
  ];

  it('decodes with every field Rails wrote', () => {
    const envelope = jsonCodec.decode(fixture('7.1').body);
    expect(envelope).toMatchObject({
      job_class: 'ReportJob',
      queue_name: 'reports',
      priority: 10,
      provider_job_id: null,
      executions: 0,
      exception_executions: {},
      locale: 'en',
      timezone: 'UTC',
      enqueued_at: '2024-05-01T12:00:00.123456789Z',
      scheduled_at: '2024-05-01T13:00:00.000000000Z',
      envelope_version: 1,
    });
  });

  it('deserializes every argument faithfully', async () => {
    const args = await deserializeArguments(jsonCodec.decode(fixture('7.1').body).arguments);
    expect(args).toEqual(values7);
    expect(args[0]).toBe(USERS.get('42'));
    expect((args[5] as ZonedTime).toDate()).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(rubyHashForm(args[12] as object)).toEqual({ kind: 'symbol_keys', symbolKeys: ['limits'] });
    expect(rubyHashForm((args[12] as { limits: object }).limits)).toEqual({ kind: 'symbol_keys', symbolKeys: ['seats'] });
    expect(rubyHashForm(args[14] as object)).toEqual({ kind: 'ruby2_keywords', symbolKeys: ['notify'] });
  });

  it('serializes the same values to exactly the arguments Rails wrote', () => {
    const expected = parseJson(fixture('7.1').text) as { arguments: unknown };
    expect(stringifyJson(serializeArguments(values7))).toBe(stringifyJson(expected.arguments));
  });

  it('re-encodes to the bytes Rails wrote, plus envelope_version', async () => {
    const decoded = jsonCodec.decode(fixture('7.1').body);
    const args = await deserializeArguments(decoded.arguments);
    const body = jsonCodec.encode({ ...decoded, arguments: serializeArguments(args) }).toString();
    expect(body).toBe(compact(fixture('7.1').text).replace(/}$/, ',"envelope_version":1}'));
  });
});

describe('a Rails 6.1 envelope', () => {
  const values6 = [
    USERS.get('42'),
    new RubySymbol('weekly'),
    new CalendarDate(2024, 5, 1),
    new Date('2024-05-01T12:00:00.123Z'),
    new RubyDateTime('2024-05-01T12:00:00.000000000+02:00'),
    new ZonedTime('2024-05-01T05:00:00.000000000-07:00'),
    Duration.days(1),
    '12.5',
    withIndifferentAccess({ token: 'abc' }),
    withSymbolKeys({ plan: 'pro' }),
    asKeywordArguments({ notify: true }),
  ];

  it('decodes, filling what 6.1 leaves out (scheduled_at, envelope_version)', () => {
    const envelope = jsonCodec.decode(fixture('6.1').body);
    expect(envelope).toMatchObject({
      priority: null,
      executions: 1,
      exception_executions: { '[Net::ReadTimeout]': 1 },
      locale: 'es',
      timezone: 'Pacific Time (US & Canada)',
      enqueued_at: '2024-05-01T12:00:00Z',
      scheduled_at: null,
      envelope_version: 1,
    });
  });

  it('deserializes every argument faithfully; a 6.1 BigDecimal arrives as its string', async () => {
    const args = await deserializeArguments(jsonCodec.decode(fixture('6.1').body).arguments);
    expect(args).toEqual(values6);
    expect((args[5] as ZonedTime).timeZone).toBeNull();
    expect(rubyHashForm(args[8] as object).kind).toBe('indifferent_access');
  });

  it('serializes the same values to exactly the arguments Rails 6.1 wrote (railsCompatibility 6.1)', () => {
    const expected = parseJson(fixture('6.1').text) as { arguments: unknown };
    const withDecimal = values6.map((value) => (value === '12.5' ? new Decimal('12.5') : value));
    expect(stringifyJson(serializeArguments(withDecimal, { railsCompatibility: '6.1' }))).toBe(stringifyJson(expected.arguments));
  });

  it('refuses at enqueue a Range that Rails 6.1 could not read', () => {
    expect(() => serializeArguments([new RubyRange(1, 2)], { railsCompatibility: '6.1' })).toThrow(/Rails 6\.1/);
  });
});
