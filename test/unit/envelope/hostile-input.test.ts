import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  codecFor,
  DEFAULTS,
  DeserializationError,
  deserializeArguments,
  EnvelopeError,
  jsonCodec,
  type JsonValue,
  protobufCodec,
  registerLocator,
} from '../../../src/index.js';
import { resetArgumentRegistries } from '../../../src/testing/index.js';
import { parseJson } from '../../../src/envelope/lossless-json.js';
import { USERS } from '../../support/users.js';
import { envelopeOf } from '../../support/envelope.js';
import { snapshotObjectPrototype } from '../../support/object-prototype.js';

const prototypeBefore = snapshotObjectPrototype();
let loads = 0;

beforeEach(() => {
  resetArgumentRegistries();
  loads = 0;
  registerLocator('User', {
    find: (id) => {
      loads += 1;
      return USERS.get(id);
    },
  });
});

afterEach(() => {
  expect(snapshotObjectPrototype()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
});

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** Arguments JSON (as text, so it can hold what JS objects cannot) that must fail to deserialize. */
const badArguments: [string, string, RegExp][] = [
  ['a "__proto__" key', '[{"__proto__": {"polluted": true}}]', /"__proto__" is refused/],
  ['a nested "__proto__" key', '[{"a": [{"__proto__": {"polluted": true}}]}]', /argument 0\.a\[0\]: the key "__proto__"/],
  [
    'a "__proto__" key in a serialized value',
    '[{"_aj_serialized": "ActiveJob::Serializers::SymbolSerializer", "value": "a", "__proto__": {"polluted": true}}]',
    /"__proto__" is refused/,
  ],
  ['a constructor.prototype path', '[{"constructor": {"prototype": {"polluted": true}}}]', /"prototype" is refused/],
  [
    'nesting deeper than DEFAULTS.maxArgumentDepth',
    `[${deepArray(DEFAULTS.maxArgumentDepth + 1)}]`,
    new RegExp(`nested deeper than ${DEFAULTS.maxArgumentDepth}`),
  ],
  ['extremely deep nesting', `[${deepArray(100_000)}]`, /nested deeper than/],
  ['an unknown _aj_serialized name', '[{"_aj_serialized": "Kernel::System", "value": "rm -rf"}]', /unknown serializer "Kernel::System"/],
  ['a non-string _aj_serialized', '[{"_aj_serialized": 5}]', /must be a serializer name/],
  ['an invalid GlobalID string', '[{"_aj_globalid": "http://evil/User/1"}]', /invalid GlobalID/],
  ['a GlobalID without an id', '[{"_aj_globalid": "gid://shop/User/"}]', /invalid GlobalID/],
  ['a GlobalID with a bad model name', '[{"_aj_globalid": "gid://shop/__proto__%20x/1"}]', /invalid model name/],
  ['a non-string GlobalID', '[{"_aj_globalid": 42}]', /invalid GlobalID/],
  ['a GlobalID of an unregistered model', '[{"_aj_globalid": "gid://shop/Admin/1"}]', /no registered locator/],
  ['a GlobalID whose record is gone', '[{"_aj_globalid": "gid://shop/User/999"}]', /Couldn't find User with id 999/],
  ['_aj_globalid beside other keys', '[{"_aj_globalid": "gid://shop/User/1", "x": 1}]', /reserved key "_aj_globalid"/],
  ['an unparseable time', '[{"_aj_serialized": "ActiveJob::Serializers::TimeSerializer", "value": "yesterday"}]', /unparseable time/],
  ['a time without an offset', '[{"_aj_serialized": "ActiveJob::Serializers::TimeSerializer", "value": "2024-05-01T12:00:00"}]', /unparseable time/],
  ['an impossible date', '[{"_aj_serialized": "ActiveJob::Serializers::DateSerializer", "value": "2024-02-30"}]', /invalid day/],
  ['an unparseable date', '[{"_aj_serialized": "ActiveJob::Serializers::DateSerializer", "value": "May 1st"}]', /invalid date/],
  ['an unparseable DateTime', '[{"_aj_serialized": "ActiveJob::Serializers::DateTimeSerializer", "value": 1}]', /needs a string "value"/],
  [
    'an unparseable TimeWithZone',
    '[{"_aj_serialized": "ActiveJob::Serializers::TimeWithZoneSerializer", "value": "2024-13-01T00:00:00Z"}]',
    /invalid ISO 8601/,
  ],
  [
    'a Duration with an unknown unit',
    '[{"_aj_serialized": "ActiveJob::Serializers::DurationSerializer", "value": 1, "parts": [["fortnights", 1]]}]',
    /unknown unit/,
  ],
  ['a Duration without parts', '[{"_aj_serialized": "ActiveJob::Serializers::DurationSerializer", "value": 1}]', /needs "parts"/],
  ['a malformed BigDecimal', '[{"_aj_serialized": "ActiveJob::Serializers::BigDecimalSerializer", "value": "12,5"}]', /invalid decimal/],
  [
    'a GlobalID as a Range endpoint',
    '[{"_aj_serialized": "ActiveJob::Serializers::RangeSerializer", "begin": {"_aj_globalid": "gid://shop/User/1"}}]',
    /not allowed here/,
  ],
  ['_aj_symbol_keys that is not a list of strings', '[{"a": 1, "_aj_symbol_keys": "a"}]', /must be a list of strings/],
  ['a number too large for a double', '[1e400]', /not finite/],
];

describe('deserializeArguments refuses hostile arguments with DeserializationError', () => {
  it.each(badArguments)('%s', async (_label, json, message) => {
    const args = parseJson(json) as JsonValue[];
    const outcome = deserializeArguments(args);
    await expect(outcome).rejects.toBeInstanceOf(DeserializationError);
    await expect(deserializeArguments(args)).rejects.toThrow(message);
  });

  it('loads nothing when any GlobalID names an unregistered model', async () => {
    const args = parseJson('[{"_aj_globalid": "gid://shop/User/1"}, {"_aj_globalid": "gid://shop/Admin/1"}]') as JsonValue[];
    await expect(deserializeArguments(args)).rejects.toThrow(/Admin/);
    expect(loads).toBe(0);
  });

  it('reads plain "constructor" and "prototype" keys as data without touching prototypes', async () => {
    const [value] = (await deserializeArguments(parseJson('[{"constructor": "x", "prototype": {"a": 1}}]') as JsonValue[])) as [Record<string, unknown>];
    expect(value.constructor).toBe('x');
    expect(value.prototype).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

function envelopeText(overrides: Record<string, unknown>): string {
  return JSON.stringify({ ...envelopeOf('ReportJob', []), ...overrides });
}

/** Whole message bodies that must fail to decode with EnvelopeError (the worker dead-letters them). */
const badBodies: [string, string | undefined, Buffer, RegExp][] = [
  ['a non-JSON body', 'application/json', Buffer.from('not json'), /not valid JSON/],
  ['a truncated JSON body', 'application/json', Buffer.from(envelopeText({}).slice(0, 40)), /not valid JSON/],
  ['a JSON array', 'application/json', Buffer.from('[1,2]'), /must be an object/],
  ['invalid UTF-8', 'application/json', Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
  ['a missing job_class', 'application/json', Buffer.from(envelopeText({ job_class: undefined })), /missing field job_class/],
  ['a numeric job_class', 'application/json', Buffer.from(envelopeText({ job_class: 5 })), /job_class must be a non-empty string/],
  ['arguments that are not a list', 'application/json', Buffer.from(envelopeText({ arguments: {} })), /arguments must be an array/],
  ['a mistyped priority', 'application/json', Buffer.from(envelopeText({ priority: 'high' })), /priority must be an integer/],
  ['negative executions', 'application/json', Buffer.from(envelopeText({ executions: -1 })), /executions must be a non-negative/],
  ['an unparseable enqueued_at', 'application/json', Buffer.from(envelopeText({ enqueued_at: 'now' })), /enqueued_at must be an ISO 8601/],
  ['an unknown envelope version', 'application/json', Buffer.from(envelopeText({ envelope_version: 2 })), /unsupported envelope version 2/],
  [
    "a hostile job name is not the codec's concern but a wrong type is",
    'application/json',
    Buffer.from(envelopeText({ job_class: ['__proto__'] })),
    /job_class/,
  ],
  [
    'wire nesting past the codec bound',
    'application/json',
    Buffer.from(envelopeText({ arguments: 'X' }).replace('"X"', `[${deepArray(100_000)}]`)),
    /nest deeper than/,
  ],
  ['a body over the size limit', 'application/json', Buffer.alloc(DEFAULTS.maxMessageBytes + 1, 0x20), /exceeds the 1048576-byte limit/],
  ['a truncated protobuf body', 'application/x-protobuf', protobufCodec.encode(envelopeOf('ReportJob', [1, 'two'])).subarray(0, 5), /not a protobuf envelope/],
  ['a JSON body sent as protobuf', 'application/x-protobuf', Buffer.from(envelopeText({})), /not a protobuf envelope|missing field/],
  ['an empty protobuf body', 'application/x-protobuf', Buffer.alloc(0), /missing field job_class/],
  ['a wrong content type', 'text/plain', Buffer.from(envelopeText({})), /unknown content type "text\/plain"/],
  ['a missing content type', undefined, Buffer.from(envelopeText({})), /missing content type/],
  ['a JSON body in another charset', 'application/json; charset=latin1', Buffer.from(envelopeText({})), /unsupported charset/],
];

describe('decoding refuses bad messages with EnvelopeError', () => {
  it.each(badBodies)('%s', (_label, contentType, body, message) => {
    const decode = () => codecFor(contentType).decode(body);
    expect(decode).toThrow(EnvelopeError);
    expect(decode).toThrow(message);
  });

  it('reads a "__proto__" argument key in a body as data, leaving the refusal to deserializeArguments', async () => {
    const body = Buffer.from(envelopeText({ arguments: 'X' }).replace('"X"', '[{"__proto__": {"polluted": true}}]'));
    const envelope = jsonCodec.decode(body);
    expect(Object.getPrototypeOf(envelope.arguments[0])).toBe(Object.prototype);
    await expect(deserializeArguments(envelope.arguments)).rejects.toThrow(DeserializationError);
  });
});
