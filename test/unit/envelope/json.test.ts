import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson, stringifyJson } from '../../../src/envelope/lossless-json.js';

/** Forces the lossless path: a 16-digit run anywhere in the text. */
const lossless = (json: string) => parseJson(`[${json}, "0000000000000000"]`) as unknown[];

describe('parseJson', () => {
  it('reads integers beyond Number.MAX_SAFE_INTEGER as exact bigints', () => {
    expect(parseJson('[9007199254740993, -12345678901234567890, 9007199254740991]')).toEqual([9007199254740993n, -12345678901234567890n, 9007199254740991]);
  });

  it('reads an integer too long for a double (309 digits or more) as an exact bigint, not Infinity', () => {
    const digits = `1${'0'.repeat(399)}`;
    expect(parseJson(`{"n":${digits}}`)).toEqual({ n: BigInt(digits) });
  });

  it('keeps fractions and exponents as numbers, even with many digits', () => {
    // biome-ignore lint/correctness/noPrecisionLoss: the digits a double cannot hold are what this test is about
    expect(parseJson('[0.12345678901234567, 1e21, 12345678901234567.0]')).toEqual([0.12345678901234567, 1e21, 12345678901234568]);
  });

  it.each([
    '{"a":[1,2,{"b":null}],"c":"x\\"y\\u00e9\\n","d":true,"e":false,"f":{},"g":[],"h":[[]]}',
    ' { "spaced" : [ 1 , 2 ] , "k" : { } } ',
    '"just a string"',
    '-0.5e-3',
    '{"":1,"dup":1,"dup":2}',
  ])('reads %s exactly as JSON.parse does on the lossless path', (json) => {
    expect(lossless(json)[0]).toEqual(JSON.parse(json));
  });

  it.each(['{"a":1,}', '[1,]', '{"a" 1}', '[1 2]', '', '{', '[', '{"a":1}}', '{,}', '[01]', '"\u0001"', '"\\x"', 'nul', '{"a":1} x', '+1', '.5'])(
    'refuses invalid JSON %j on both paths',
    (json) => {
      expect(() => parseJson(json)).toThrow(JsonSyntaxError);
      expect(() => lossless(json)).toThrow(JsonSyntaxError);
    },
  );

  it('defines "__proto__" keys as own data, never as a prototype', () => {
    for (const value of [parseJson('{"__proto__": {"polluted": 1}}'), lossless('{"__proto__": {"polluted": 1}}')[0]]) {
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.keys(value as object)).toEqual(['__proto__']);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads very deep nesting on both paths without overflowing the stack', () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(Array.isArray(parseJson(deep(200_000)))).toBe(true);
    expect(Array.isArray(lossless(deep(200_000))[0])).toBe(true);
  });
});

describe('stringifyJson', () => {
  it('writes bigints as bare integers and everything else as JSON.stringify does', () => {
    const value = { big: 2n ** 64n, list: [1, 'a', null, { nested: -(2n ** 70n) }], skipped: undefined };
    expect(stringifyJson(value)).toBe('{"big":18446744073709551616,"list":[1,"a",null,{"nested":-1180591620717411303424}]}');
    expect(parseJson(stringifyJson(value))).toEqual({ big: 2n ** 64n, list: [1, 'a', null, { nested: -(2n ** 70n) }] });
  });

  it('refuses non-finite numbers when writing bigints', () => {
    expect(() => stringifyJson([1n, Number.NaN])).toThrow(/non-finite/);
  });
});
