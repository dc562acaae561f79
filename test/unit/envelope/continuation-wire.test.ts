import { describe, expect, it } from 'vitest';
import { type Envelope, EnvelopeError, jsonCodec, protobufCodec } from '../../../src/index.js';
import { readEnvelope } from '../../../src/envelope/codecs/envelope-reader.js';
import { MAX_WIRE_NESTING } from '../../../src/envelope/codecs/limits.js';
import { envelopeTypes } from '../../../src/envelope/codecs/protobuf-schema.js';
import { codecs } from '../../support/codecs.js';
import { envelopeOf } from '../../support/envelope.js';

/** Rails 8.1 `Continuable#serialize`: the continuation's keys (`continuation`, `resumptions`). */
const continuable = (continuation: unknown, resumptions: unknown = 1): Envelope =>
  ({ ...envelopeOf('ImportJob', [42]), continuation, resumptions }) as Envelope;

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
};

describe.each(codecs)('the %s codec with a continuation', (_name, codec) => {
  it.each<[string, unknown]>([
    ['an integer', 1500],
    ['a string', 'user-42'],
    ['an array', [3, 'b', [1, 2]]],
    ['null', null],
    ['a bigint', 2n ** 70n],
    ['a bigint inside an array', [2n ** 64n, -(2n ** 63n) - 1n]],
    ['an object', { page: 3, after: 'x' }],
    ['a 1.5 float', 1.5],
  ])('round-trips completed, current with %s cursor, and resumptions', (_label, cursor) => {
    const envelope = continuable({ completed: ['download', 'unpack'], current: ['import_rows', cursor] }, 2);
    const decoded = codec.decode(codec.encode(envelope));
    expect(decoded).toEqual(envelope);
    expect(Object.keys(decoded).slice(-2)).toEqual(['continuation', 'resumptions']);
  });

  it('round-trips a continuation without a current step, and one with nothing completed', () => {
    for (const continuation of [{ completed: ['a', 'b'] }, { completed: [] }, { completed: [], current: ['first', 0] }]) {
      const decoded = codec.decode(codec.encode(continuable(continuation, 0)));
      expect(decoded.continuation).toEqual(continuation);
      expect(decoded.resumptions).toBe(0);
      if (!('current' in continuation)) expect('current' in (decoded.continuation as object)).toBe(false);
    }
  });

  it('keeps resumptions without a continuation, and a continuation without resumptions', () => {
    const onlyResumptions = { ...envelopeOf('ImportJob', []), resumptions: 4 };
    expect(codec.decode(codec.encode(onlyResumptions))).toEqual(onlyResumptions);
    const onlyContinuation = { ...envelopeOf('ImportJob', []), continuation: { completed: ['a'] } };
    const decoded = codec.decode(codec.encode(onlyContinuation));
    expect(decoded).toEqual(onlyContinuation);
    expect('resumptions' in decoded).toBe(false);
  });

  it('decodes a plain envelope with neither key', () => {
    const decoded = codec.decode(codec.encode(envelopeOf('ReportJob', [1])));
    expect('continuation' in decoded).toBe(false);
    expect('resumptions' in decoded).toBe(false);
    expect(decoded).toStrictEqual(envelopeOf('ReportJob', [1]));
  });

  it('reads null continuation and resumptions as absent', () => {
    const decoded = codec.decode(codec.encode(continuable(null, null)));
    expect('continuation' in decoded).toBe(false);
    expect('resumptions' in decoded).toBe(false);
  });
});

describe('the JSON encoding of a continuation', () => {
  it('writes a plain envelope byte for byte as before (no continuation or resumptions key)', () => {
    const text = jsonCodec.encode(envelopeOf('ReportJob', [1])).toString();
    expect(text).not.toMatch(/continuation|resumptions/);
    expect(text).toBe(JSON.stringify(envelopeOf('ReportJob', [1])));
  });

  it('writes the keys last, as Rails writes them, with a bigint cursor as bare digits', () => {
    const text = jsonCodec.encode(continuable({ completed: ['a'], current: ['b', 2n ** 64n] }, 1)).toString();
    expect(text.endsWith(',"envelope_version":1,"continuation":{"completed":["a"],"current":["b",18446744073709551616]},"resumptions":1}')).toBe(true);
  });

  it('reads what a Rails 8.1 continuable job writes (no envelope_version)', () => {
    const rails = `{"job_class":"ImportJob","job_id":"0e9c5a3f-2f7b-4b35-9d8c-3a4d0f6e2b11","provider_job_id":null,
      "queue_name":"default","priority":null,"arguments":[{"_aj_globalid":"gid://shop/Import/7"}],"executions":2,
      "exception_executions":{},"locale":"en","timezone":"UTC","enqueued_at":"2025-10-01T12:00:00.123456789Z",
      "scheduled_at":"2025-10-01T12:00:05.123456789Z",
      "continuation":{"completed":["a"],"current":["b",42]},"resumptions":1}`;
    const decoded = jsonCodec.decode(Buffer.from(rails));
    expect(decoded.envelope_version).toBe(1);
    expect(decoded.continuation).toEqual({ completed: ['a'], current: ['b', 42] });
    expect(decoded.resumptions).toBe(1);
  });

  it('reads a big integer cursor losslessly', () => {
    const body = JSON.stringify(envelopeOf('ImportJob', [])).replace(/}$/, ',"continuation":{"current":["rows",123456789012345678901234567890]}}');
    expect(jsonCodec.decode(Buffer.from(body)).continuation).toEqual({ completed: [], current: ['rows', 123456789012345678901234567890n] });
  });

  it('drops unknown keys inside the continuation', () => {
    const decoded = readEnvelope(continuable({ completed: ['a'], extra: 1 }));
    expect(decoded.continuation).toStrictEqual({ completed: ['a'] });
  });
});

describe('the protobuf encoding of a continuation', () => {
  const message = (continuation: unknown) =>
    Buffer.from(
      envelopeTypes()
        .envelope.encode({ job_class: 'ImportJob', job_id: 'j-1', queue_name: 'default', enqueued_at: '2024-05-01T12:00:00Z', continuation })
        .finish(),
    );

  it('reads an unset cursor as null', () => {
    expect(protobufCodec.decode(message({ completed: ['a'], current: { name: 'b' } })).continuation).toEqual({ completed: ['a'], current: ['b', null] });
  });

  it('reads a whole-number double cursor as a plain number', () => {
    const decoded = protobufCodec.decode(message({ completed: [], current: { name: 'b', cursor: { list_value: { values: [{ double_value: 2 }] } } } }));
    expect(decoded.continuation?.current?.[1]).toStrictEqual([2]);
  });

  it('refuses an empty step name and a cursor value without a kind', () => {
    expect(() => protobufCodec.decode(message({ completed: [], current: { name: '', cursor: { int_value: 1 } } }))).toThrow(
      'continuation.current must be [step name, cursor]',
    );
    expect(() => protobufCodec.decode(message({ completed: [], current: { name: 'b', cursor: { list_value: { values: [{}] } } } }))).toThrow(
      'continuation.current cursor: an argument value has no kind set',
    );
  });
});

describe('readEnvelope refuses a malformed continuation', () => {
  const long = 'x'.repeat(256);
  it.each<[string, unknown, unknown, string | RegExp]>([
    ['an array', ['a'], 1, 'continuation must be an object'],
    ['a string', 'a', 1, 'continuation must be an object'],
    ['completed not an array', { completed: 'a' }, 1, 'continuation.completed must be an array of step names'],
    ['a completed step that is not a string', { completed: [1] }, 1, 'continuation.completed must be an array of step names'],
    ['an empty completed step name', { completed: [''] }, 1, 'continuation.completed must be an array of step names'],
    ['a null completed step name', { completed: [null] }, 1, 'continuation.completed must be an array of step names'],
    ['a too long completed step name', { completed: [long] }, 1, /^continuation\.completed step name is 256 characters long, above the limit of 255/],
    ['a step completed twice', { completed: ['a', 'a'] }, 1, 'continuation.completed lists the step "a" twice'],
    ['current not an array', { current: 'b' }, 1, 'continuation.current must be [step name, cursor]'],
    ['current as an object', { current: { b: 1 } }, 1, 'continuation.current must be [step name, cursor]'],
    ['current with one item', { current: ['b'] }, 1, 'continuation.current must be [step name, cursor]'],
    ['current with three items', { current: ['b', 1, 2] }, 1, 'continuation.current must be [step name, cursor]'],
    ['current with an empty name', { current: ['', 1] }, 1, 'continuation.current must be [step name, cursor]'],
    ['current with a number name', { current: [7, 1] }, 1, 'continuation.current must be [step name, cursor]'],
    ['a too long current step name', { current: [long, 1] }, 1, /^continuation\.current step name is 256 characters long/],
    ['current among completed', { completed: ['a', 'b'], current: ['b', 1] }, 1, 'continuation.current names the step "b", which is already completed'],
    [
      'a "__proto__" cursor key',
      { current: ['b', JSON.parse('{"__proto__": {"x": 1}}')] },
      1,
      'continuation.current cursor has the key "__proto__", which could reach an object prototype',
    ],
    [
      'a nested "__proto__" cursor key',
      { current: ['b', [JSON.parse('{"a": {"__proto__": 1}}')]] },
      1,
      'continuation.current cursor has the key "__proto__", which could reach an object prototype',
    ],
    [
      'a constructor.prototype cursor path',
      { current: ['b', { constructor: { prototype: 1 } }] },
      1,
      'continuation.current cursor has the key "prototype", which could reach an object prototype',
    ],
    [
      'a cursor nested too deep',
      { current: ['b', nested(MAX_WIRE_NESTING + 1)] },
      1,
      `continuation.current cursor nests deeper than ${MAX_WIRE_NESTING} levels`,
    ],
    ['a non-finite cursor', { current: ['b', Number.NaN] }, 1, 'continuation.current cursor holds a number that is not finite'],
    ['a Date cursor', { current: ['b', new Date(0)] }, 1, 'continuation.current cursor holds an object that is not plain JSON'],
    ['an undefined cursor', { current: ['b', undefined] }, 1, 'continuation.current cursor holds a value that is not JSON (undefined)'],
    ['negative resumptions', { completed: [] }, -1, 'resumptions must be a non-negative integer'],
    ['fractional resumptions', { completed: [] }, 1.5, 'resumptions must be a non-negative integer'],
    ['string resumptions', { completed: [] }, '1', 'resumptions must be a non-negative integer'],
    ['bigint resumptions', { completed: [] }, 2n ** 64n, 'resumptions must be a non-negative integer'],
  ])('%s', (_label, continuation, resumptions, reason) => {
    const read = () => readEnvelope(continuable(continuation, resumptions));
    expect(read).toThrow(EnvelopeError);
    expect(read).toThrow(reason);
  });

  it('accepts a cursor nested exactly to the limit', () => {
    expect(() => readEnvelope(continuable({ current: ['b', nested(MAX_WIRE_NESTING)] }))).not.toThrow();
  });

  it.each(codecs)('refuses through the %s codec on decode and on encode', (_name, codec) => {
    const bad = continuable({ completed: ['a'], current: ['a', 1] });
    expect(() => codec.encode(bad)).toThrow(EnvelopeError);
    const json = Buffer.from(JSON.stringify(bad));
    if (codec === jsonCodec) expect(() => codec.decode(json)).toThrow('continuation.current names the step "a", which is already completed');
  });
});
