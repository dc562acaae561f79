import {
  asKeywordArguments,
  CalendarDate,
  Decimal,
  DEFAULTS,
  Duration,
  GlobalId,
  registerLocator,
  RubyDateTime,
  rubyHashForm,
  RubyRange,
  RubySymbol,
  RubyTime,
  withIndifferentAccess,
  withSymbolKeys,
  ZonedTime,
} from '../../../src/index.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetArgumentRegistries } from '../../../src/testing/index.js';
import { USERS, User } from '../../support/users.js';
import { codecs, roundTrip } from '../../support/codecs.js';

beforeEach(() => {
  resetArgumentRegistries();
  registerLocator('User', { find: (id) => USERS.get(id) });
});

const cases: [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['a small integer', 42],
  ['a negative integer', -7],
  ['zero', 0],
  ['a float', 1.5],
  ['a tiny float', 5e-324],
  ['the largest safe integer', Number.MAX_SAFE_INTEGER],
  ['a string', 'hello'],
  ['an empty string', ''],
  ['a unicode string', 'héllo wörld ✓ 𝄞'],
  ['a string of digits', '12345678901234567890'],
  ['a bigint beyond the safe range', 2n ** 70n],
  ['a negative bigint beyond 64 bits', -(2n ** 80n) + 1n],
  ['a bigint inside 64 bits', 9_007_199_254_740_993n],
  ['the largest 64-bit integer', 2n ** 63n - 1n],
  ['the smallest 64-bit integer', -(2n ** 63n)],
  ['an integer just past 64 bits', 2n ** 63n],
  ['a negative integer just past 64 bits', -(2n ** 63n) - 1n],
  ['the first unsafe negative integer', -9_007_199_254_740_993n],
  ['an array', [1, 'two', null, [3, [4]]]],
  ['an empty array', []],
  ['a plain object', { name: 'Ada', tags: ['a', 'b'], nested: { deep: { deeper: true } } }],
  ['an empty object', {}],
  ['an object with constructor and prototype keys as data', { constructor: 'Foo', prototype: 1 }],
  ['an object with an _aj_ key Rails does not reserve', { _aj_custom: 1 }],
  ['a Date', new Date('2024-05-01T12:00:00.123Z')],
  ['a Date before 1970', new Date('1901-02-03T04:05:06.007Z')],
  ['a CalendarDate', new CalendarDate(2024, 2, 29)],
  ['a ZonedTime in a named zone', ZonedTime.fromDate(new Date('2024-05-01T12:00:00.5Z'), 'America/Los_Angeles')],
  ['a ZonedTime without a zone name (Rails 6.1)', new ZonedTime('2024-05-01T14:00:00.123456789+02:00')],
  ['a RubyDateTime', new RubyDateTime('2024-05-01T12:00:00.123456789+05:30')],
  ['a Duration', Duration.of({ hours: 1, minutes: 30 })],
  ['a fractional Duration', Duration.of({ days: 1.5 })],
  ['a RubySymbol', new RubySymbol('weekly')],
  ['a Decimal', new Decimal('1234567890.12345678901234567890')],
  ['a RubyRange of integers', new RubyRange(1, 10, true)],
  ['an endless RubyRange of dates', new RubyRange(new CalendarDate(2024, 1, 1), null)],
];

describe.each(codecs)('every argument type round-trips through the %s codec', (_name, codec) => {
  it.each(cases)('%s', async (_label, value) => {
    const [result] = await roundTrip(codec, [value]);
    expect(result).toEqual(value);
    // A Date comes back as a RubyTime: a Date that also keeps the text it travelled as.
    if (value instanceof Date) expect(result).toBeInstanceOf(RubyTime);
    else if (value !== null && typeof value === 'object') expect(Object.getPrototypeOf(result)).toBe(Object.getPrototypeOf(value));
  });

  it('keeps a float that happens to be whole a number, and integers in the safe range numbers', async () => {
    const result = await roundTrip(codec, [3.0, 2 ** 53 - 1, -(2 ** 53 - 1), 5n]);
    expect(result).toEqual([3, 2 ** 53 - 1, -(2 ** 53 - 1), 5]);
  });

  it('reads an unsafe integral number as the bigint of the digits JSON writes for it', async () => {
    const [result] = await roundTrip(codec, [2 ** 60]);
    expect(result).toBe(BigInt(String(2 ** 60)));
  });

  it('keeps the Ruby hash form of symbol-keyed, keyword and indifferent hashes', async () => {
    const [symbols, keywords, indifferent, plain] = (await roundTrip(codec, [
      withSymbolKeys({ id: 1, label: 'x' }, ['id']),
      asKeywordArguments({ notify: true }),
      withIndifferentAccess({ a: 1 }),
      { a: 1 },
    ])) as object[];
    expect(symbols).toEqual({ id: 1, label: 'x' });
    expect(rubyHashForm(symbols as object)).toEqual({ kind: 'symbol_keys', symbolKeys: ['id'] });
    expect(rubyHashForm(keywords as object)).toEqual({ kind: 'ruby2_keywords', symbolKeys: ['notify'] });
    expect(rubyHashForm(indifferent as object)).toEqual({ kind: 'indifferent_access', symbolKeys: [] });
    expect(rubyHashForm(plain as object)).toEqual({ kind: 'string_keys', symbolKeys: [] });
  });

  it('locates GlobalID references, including a GlobalId passed instead of a record', async () => {
    const [user, byId] = await roundTrip(codec, [USERS.get('1'), GlobalId.create('User', 2, { app: 'shop' })]);
    expect(user).toBe(USERS.get('1'));
    expect(byId).toBe(USERS.get('2'));
    expect(user).toBeInstanceOf(User);
  });

  it('carries arguments nested right up to DEFAULTS.maxArgumentDepth', async () => {
    let value: unknown = Duration.of({ minutes: 5 });
    for (let level = 1; level < DEFAULTS.maxArgumentDepth; level += 1) {
      value = level % 2 === 0 ? [value] : withSymbolKeys({ inner: value });
    }
    expect(await roundTrip(codec, [value])).toEqual([value]);
  });

  it('keeps every argument in order in a job with many of them', async () => {
    const values = cases.map(([, value]) => value);
    expect(await roundTrip(codec, values)).toEqual(values);
  });
});
