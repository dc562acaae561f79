import { describe, expect, it } from 'vitest';
import { DEFAULTS, RubyFloat, SerializationError, serializeArguments } from '../../../src/index.js';

class Money {
  constructor(readonly cents: number) {}
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

const refused: [string, unknown, RegExp][] = [
  ['undefined', undefined, /undefined cannot travel/],
  ['an array hole', [1, undefined, 3], /undefined cannot travel/], // eslint-disable-line no-sparse-arrays
  ['NaN', Number.NaN, /not a finite number/],
  ['Infinity', Number.POSITIVE_INFINITY, /not a finite number/],
  ['a function', () => 1, /function/],
  ['a JS symbol', Symbol('x'), /RubySymbol/],
  ['an invalid Date', new Date('nope'), /invalid Date/],
  ['a Map', new Map([['a', 1]]), /Map cannot travel.*Object\.fromEntries/],
  ['a Set', new Set([1]), /Set cannot travel.*Array\.from/],
  ['a Buffer', Buffer.from('hi'), /binary data.*base64/],
  ['a typed array', new Uint8Array(2), /binary data/],
  ['a class instance without a serializer', new Money(5), /unsupported argument type Money.*registerSerializer/],
  ['a RegExp', /x/, /unsupported argument type RegExp/],
  ['a boxed string', new String('x'), /unsupported argument type String/],
  ['a cycle', cyclic, /circular reference/],
  ['an object with a symbol key', { [Symbol('k')]: 1 }, /symbol key/],
  ['a "__proto__" own key', JSON.parse('{"__proto__": {"admin": true}}'), /"__proto__" is refused/],
  ['a constructor.prototype path', { constructor: { prototype: { admin: true } } }, /"prototype" is refused/],
  ['nesting deeper than DEFAULTS.maxArgumentDepth', nested(DEFAULTS.maxArgumentDepth + 1), /nested deeper than/],
  ['a record whose toGlobalId has no id', { toGlobalId: () => 'gid://shop/User/' }, /invalid GlobalID/],
  [
    'a record whose toGlobalId throws',
    {
      toGlobalId: () => {
        throw new Error('unsaved');
      },
    },
    /toGlobalId\(\) failed: unsaved/,
  ],
];

describe('serializeArguments refuses at enqueue what cannot travel', () => {
  it.each(refused)('%s', (_label, value, message) => {
    expect(() => serializeArguments([value])).toThrow(SerializationError);
    expect(() => serializeArguments([value])).toThrow(message);
  });

  it.each(['_aj_globalid', '_aj_serialized', '_aj_symbol_keys', '_aj_ruby2_keywords', '_aj_hash_with_indifferent_access'])(
    'refuses a user hash with the reserved key %s, as Rails does',
    (key) => {
      expect(() => serializeArguments([{ nested: { [key]: 1 } }])).toThrow(`Can't serialize a Hash with reserved key "${key}"`);
    },
  );

  it('says where the offending value sits', () => {
    expect(() => serializeArguments([1, { user: { tags: ['a', undefined] } }])).toThrow(/argument 1\.user\.tags\[1\]/);
  });

  it('accepts nesting exactly at the limit', () => {
    expect(() => serializeArguments([nested(DEFAULTS.maxArgumentDepth)])).not.toThrow();
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(serializeArguments([[shared, shared]])).toEqual([
      [
        { a: 1, _aj_symbol_keys: [] },
        { a: 1, _aj_symbol_keys: [] },
      ],
    ]);
  });

  it('leaves out undefined object properties, as JSON does', () => {
    expect(serializeArguments([{ a: 1, b: undefined }])).toEqual([{ a: 1, _aj_symbol_keys: [] }]);
  });

  it('writes -0 as the Ruby Float -0.0 (not the Integer 0) and a null-prototype object as a Hash', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    const [zero, hash] = serializeArguments([-0, bare]);
    expect(zero).toBeInstanceOf(RubyFloat);
    expect(String(zero)).toBe('-0.0');
    expect(hash).toEqual({ a: 1, _aj_symbol_keys: [] });
  });
});
