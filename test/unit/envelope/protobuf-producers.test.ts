import { describe, expect, it } from 'vitest';
import { EnvelopeError, protobufCodec } from '../../../src/index.js';
import { envelopeTypes } from '../../../src/envelope/codecs/protobuf-schema.js';

/** Builds a body the way a Go or Python producer would, straight from the .proto. */
function body(fields: Record<string, unknown>): Buffer {
  const { envelope } = envelopeTypes();
  const message = envelope.fromObject({
    job_class: 'SendEmail',
    job_id: 'j-1',
    queue_name: 'mail',
    enqueued_at: '2024-05-01T12:00:00Z',
    ...fields,
  });
  return Buffer.from(envelope.encode(message).finish());
}

describe('protobuf envelopes from other producers', () => {
  it('read the typed values a producer builds, keeping map order', () => {
    const decoded = protobufCodec.decode(
      body({
        arguments: [
          { int_value: 7 },
          { big_int_value: '123456789012345678901234567890' },
          { big_int_value: '12' },
          { double_value: 2.5 },
          { string_value: 'hi' },
          { bool_value: true },
          { null_value: 'NULL_VALUE' },
          { list_value: { values: [{ int_value: 1 }] } },
          {
            map_value: {
              entries: [
                { key: 'z', value: { int_value: 1 } },
                { key: 'a', value: { int_value: 2 } },
              ],
            },
          },
        ],
      }),
    );
    expect(decoded.arguments).toEqual([7, 123456789012345678901234567890n, 12, 2.5, 'hi', true, null, [1], { z: 1, a: 2 }]);
    expect(Object.keys(decoded.arguments[8] as object)).toEqual(['z', 'a']);
  });

  it('read unset optional fields as Rails does: no priority, no provider id, not delayed, version 1', () => {
    expect(protobufCodec.decode(body({}))).toMatchObject({
      priority: null,
      provider_job_id: null,
      scheduled_at: null,
      executions: 0,
      envelope_version: 1,
      arguments: [],
    });
  });

  it('keep priority 0 distinct from no priority', () => {
    expect(protobufCodec.decode(body({ priority: 0 })).priority).toBe(0);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a value with no kind', { arguments: [{}] }, /no kind set/],
    ['a map entry without a value', { arguments: [{ map_value: { entries: [{ key: 'a' }] } }] }, /value is missing/],
    ['a big_int_value that is not digits', { arguments: [{ big_int_value: '12a' }] }, /decimal digits/],
    ['a NaN double', { arguments: [{ double_value: Number.NaN }] }, /not finite/],
    ['an unknown version', { envelope_version: 9 }, /unsupported envelope version 9/],
    ['an empty job_id', { job_id: '' }, /missing field job_id/],
  ])('refuse %s with EnvelopeError', (_label, fields, message) => {
    const decode = () => protobufCodec.decode(body(fields));
    expect(decode).toThrow(EnvelopeError);
    expect(decode).toThrow(message);
  });

  it('refuse nesting past the codec bound without overflowing the stack', () => {
    const { envelope } = envelopeTypes();
    const deep = encodeDeep(5_000);
    const nested = Buffer.concat([
      Buffer.from(envelope.encode(envelope.fromObject({ job_class: 'A', job_id: 'b', queue_name: 'c', enqueued_at: '2024-05-01T12:00:00Z' })).finish()),
      // field 6 (arguments), length-delimited, written by hand so the encoder's own depth limit is not involved
      Buffer.from([0x32]),
      varint(deep.length),
      deep,
    ]);
    expect(() => protobufCodec.decode(nested)).toThrow(EnvelopeError);
  });
});

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A Value nested `depth` lists deep, built bottom-up as raw bytes. */
function encodeDeep(depth: number): Buffer {
  let inner = Buffer.from([0x18, 0x02]); // Value { int_value: 1 } (sint64 zigzag 2)
  for (let level = 0; level < depth; level += 1) {
    const list = Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]); // ListValue { values: [inner] }
    inner = Buffer.concat([Buffer.from([0x3a]), varint(list.length), list]); // Value { list_value: list }
  }
  return inner;
}
