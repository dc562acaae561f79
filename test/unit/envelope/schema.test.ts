import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import protobuf from 'protobufjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asKeywordArguments,
  CalendarDate,
  Decimal,
  Duration,
  ENVELOPE_VERSION,
  GlobalId,
  jsonCodec,
  RubyDateTime,
  RubyRange,
  RubySymbol,
  serializeArguments,
  withIndifferentAccess,
  withSymbolKeys,
  ZonedTime,
} from '../../../src/index.js';
import { envelopeProtoPath, envelopeTypes } from '../../../src/envelope/codecs/protobuf-schema.js';
import { envelopeOf } from '../../support/envelope.js';

const schemaUrl = new URL('../../../schemas/warren/envelope/v1/envelope.schema.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as { $id: string };
let validate: ReturnType<Ajv2020['compile']>;

beforeAll(() => {
  validate = new Ajv2020({ allErrors: true, strictSchema: true, strictTypes: true, strictTuples: true, allowUnionTypes: true }).compile(schema);
});

const everyType = [
  null,
  true,
  42,
  1.5,
  'text',
  2n ** 70n,
  [1, [2]],
  { a: { b: 1 } },
  withSymbolKeys({ id: 1 }),
  asKeywordArguments({ notify: true }),
  withIndifferentAccess({ x: 1 }),
  new Date('2024-05-01T12:00:00Z'),
  new CalendarDate(2024, 5, 1),
  ZonedTime.fromDate(new Date('2024-05-01T12:00:00Z'), 'Europe/Berlin'),
  new RubyDateTime('2024-05-01T12:00:00.000000000+02:00'),
  Duration.of({ weeks: 2, days: 1 }),
  new RubySymbol('sym'),
  new Decimal('0.1'),
  new RubyRange(1.5, 2.5),
  GlobalId.create('User', 'a b', { app: 'shop' }),
];

describe('the JSON Schema (schemas/warren/envelope/v1/envelope.schema.json)', () => {
  it('carries the envelope version in its $id', () => {
    expect(schema.$id).toBe(`urn:warren:schema:envelope:v${ENVELOPE_VERSION}`);
  });

  it('accepts what the JSON codec writes, for every argument type', () => {
    const body = jsonCodec.encode(envelopeOf('ReportJob', serializeArguments(everyType), { priority: 3, scheduled_at: '2024-05-02T00:00:00.000000000Z' }));
    const written: unknown = JSON.parse(body.toString());
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts the Rails fixtures', () => {
    for (const version of ['6.1', '7.1']) {
      const fixture: unknown = JSON.parse(readFileSync(new URL(`./fixtures/rails-${version}.json`, import.meta.url), 'utf8'));
      expect(validate(fixture), `${version}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  const valid = envelopeOf('ReportJob', []);
  it.each<[string, Record<string, unknown>]>([
    ['a missing job_class', { job_class: undefined }],
    ['an empty queue_name', { queue_name: '' }],
    ['a string priority', { priority: 'high' }],
    ['arguments that are an object', { arguments: {} }],
    ['negative executions', { executions: -1 }],
    ['an unparseable enqueued_at', { enqueued_at: 'yesterday' }],
    ['an unknown envelope version', { envelope_version: 2 }],
    ['a "__proto__" argument key', { arguments: [JSON.parse('{"__proto__": 1}')] }],
    ['a malformed GlobalID', { arguments: [{ _aj_globalid: 'http://x' }] }],
    ['a malformed serialized Time', { arguments: [{ _aj_serialized: 'ActiveJob::Serializers::TimeSerializer', value: 'now' }] }],
    ['a continuation that is an array', { continuation: ['a'] }],
    ['a continuation that is a string', { continuation: 'a' }],
    ['continuation.completed that is a string', { continuation: { completed: 'a' } }],
    ['a continuation.completed step that is a number', { continuation: { completed: [1] } }],
    ['an empty continuation.completed step', { continuation: { completed: [''] } }],
    ['a continuation.completed step above 255 characters', { continuation: { completed: ['x'.repeat(256)] } }],
    ['a step completed twice', { continuation: { completed: ['a', 'a'] } }],
    ['continuation.current that is a string', { continuation: { current: 'b' } }],
    ['continuation.current with one item', { continuation: { current: ['b'] } }],
    ['continuation.current with three items', { continuation: { current: ['b', 1, 2] } }],
    ['continuation.current with an empty name', { continuation: { current: ['', 1] } }],
    ['a "__proto__" key in the cursor', { continuation: { current: ['b', [JSON.parse('{"a": {"__proto__": 1}}')]] } }],
    ['negative resumptions', { resumptions: -1 }],
    ['fractional resumptions', { resumptions: 1.5 }],
    ['string resumptions', { resumptions: '1' }],
  ])('and the JSON codec both refuse %s', (_label, change) => {
    const envelope: Record<string, unknown> = { ...valid, ...change };
    for (const key of Object.keys(change)) if (change[key] === undefined) delete envelope[key];
    expect(validate(envelope)).toBe(false);
    const decode = async () => {
      const decoded = jsonCodec.decode(Buffer.from(JSON.stringify(envelope)));
      const { deserializeArguments } = await import('../../../src/envelope/arguments.js');
      await deserializeArguments(decoded.arguments);
    };
    return expect(decode()).rejects.toThrow(/./);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a continuation with completed steps and an integer cursor', { continuation: { completed: ['a'], current: ['b', 42] }, resumptions: 1 }],
    ['a string cursor', { continuation: { completed: [], current: ['b', 'user-42'] } }],
    ['an array cursor', { continuation: { current: ['b', [1, 'a', [2]]] } }],
    ['a null cursor', { continuation: { current: ['b', null] }, resumptions: 0 }],
    ['an object cursor', { continuation: { current: ['b', { page: 2, constructor: { name: 'x' } }] } }],
    ['a continuation without current', { continuation: { completed: ['a', 'b'] } }],
    ['an empty continuation (Rails: not started)', { continuation: {} }],
    ['null completed and current', { continuation: { completed: null, current: null } }],
    ['unknown keys inside the continuation', { continuation: { completed: ['a'], later: true } }],
    ['null continuation and resumptions', { continuation: null, resumptions: null }],
    ['resumptions alone', { resumptions: 3 }],
  ])('and the JSON codec both accept %s', (_label, change) => {
    const envelope: Record<string, unknown> = { ...valid, ...change };
    expect(validate(envelope), JSON.stringify(validate.errors)).toBe(true);
    expect(() => jsonCodec.decode(Buffer.from(JSON.stringify(envelope)))).not.toThrow();
  });

  it('accepts what the JSON codec writes for a continuable job, with a bigint cursor', () => {
    const body = jsonCodec.encode({ ...envelopeOf('ImportJob', []), continuation: { completed: ['a'], current: ['b', 2n ** 70n] }, resumptions: 2 });
    expect(validate(JSON.parse(body.toString())), JSON.stringify(validate.errors)).toBe(true);
  });

  // JSON Schema cannot compare completed with current; a "constructor" property schema would trip
  // validators that read inherited properties (ajv's defaults see Object.prototype.constructor).
  it.each<[string, Record<string, unknown>, string]>([
    ['a step both completed and current', { completed: ['a'], current: ['a', 1] }, 'continuation.current names the step "a", which is already completed'],
    [
      'a constructor.prototype path in the cursor',
      { current: ['b', { constructor: { prototype: 1 } }] },
      'continuation.current cursor has the key "prototype", which could reach an object prototype',
    ],
  ])('leaves one rule to readers: %s', (_label, continuation, reason) => {
    const envelope = { ...valid, continuation };
    expect(validate(envelope)).toBe(true);
    expect(() => jsonCodec.decode(Buffer.from(JSON.stringify(envelope)))).toThrow(reason);
  });
});

describe('the protobuf schema (schemas/warren/envelope/v1/envelope.proto)', () => {
  it('is loaded from the package schemas folder and names every envelope field as the JSON form does', () => {
    const fields = Object.keys(envelopeTypes().envelope.fields).sort();
    // continuation and resumptions are optional keys, present only on continuable jobs.
    expect(fields).toEqual([...Object.keys(envelopeOf('ReportJob', [])), 'continuation', 'resumptions'].sort());
  });

  it('has a package named after the envelope version', () => {
    expect(envelopeTypes().envelope.fullName).toBe(`.warren.envelope.v${ENVELOPE_VERSION}.Envelope`);
  });

  it('parses with protobufjs defaults too (camelCase names), as other tools load it', () => {
    const root = protobuf.parse(readFileSync(envelopeProtoPath(), 'utf8')).root;
    expect(Object.keys(root.lookupType('warren.envelope.v1.Value').fields)).toContain('bigIntValue');
    expect(root.lookupType('warren.envelope.v1.MapEntry').fieldsArray.map((field) => field.name)).toEqual(['key', 'value']);
  });
});
