import { afterEach, describe, expect, it } from 'vitest';
import {
  codecFor,
  configure,
  createJsonCodec,
  createProtobufCodec,
  DEFAULTS,
  ENVELOPE_VERSION,
  EnvelopeError,
  jsonCodec,
  protobufCodec,
} from '../../../src/index.js';
import { codecs } from '../../support/codecs.js';
import { envelopeOf } from '../../support/envelope.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => resetConfiguration());

describe('codecFor', () => {
  it.each([
    ['application/json', jsonCodec],
    ['application/json; charset=utf-8', jsonCodec],
    ['Application/JSON;charset="UTF-8"', jsonCodec],
    ['application/x-protobuf', protobufCodec],
    ['application/protobuf', protobufCodec],
    ['application/x-protobuf; proto=warren.envelope.v1.Envelope', protobufCodec],
  ])('chooses the codec for %s', (contentType, codec) => {
    expect(codecFor(contentType)).toBe(codec);
  });

  it.each([undefined, '', 'text/plain', 'application/xml', 'application/jsonp'])('refuses %j with EnvelopeError', (contentType) => {
    expect(() => codecFor(contentType)).toThrow(EnvelopeError);
  });
});

describe.each(codecs)('the %s codec', (_name, codec) => {
  it('round-trips every envelope field', () => {
    const envelope = envelopeOf('ReportJob', [1, 'a', 2n ** 70n, { k: [true, null, 1.25] }], {
      provider_job_id: 'amq-123',
      priority: -5,
      executions: 3,
      exception_executions: { '[TimeoutError]': 2, '[Net::ReadTimeout]': 1 },
      locale: 'pt-BR',
      timezone: 'America/Sao_Paulo',
      scheduled_at: '2024-05-01T13:00:00.000000000Z',
    });
    expect(codec.decode(codec.encode(envelope))).toEqual(envelope);
  });

  it('keeps null priority, provider_job_id and scheduled_at null', () => {
    const envelope = envelopeOf('ReportJob', []);
    expect(codec.decode(codec.encode(envelope))).toEqual(envelope);
  });

  it('writes the current envelope version', () => {
    expect(codec.decode(codec.encode(envelopeOf('ReportJob', []))).envelope_version).toBe(ENVELOPE_VERSION);
  });

  it('refuses to encode a message above the size limit', () => {
    const small = codec === jsonCodec ? createJsonCodec({ maxMessageBytes: 200 }) : createProtobufCodec({ maxMessageBytes: 200 });
    expect(() => small.encode(envelopeOf('ReportJob', ['x'.repeat(300)]))).toThrow(/exceeds the 200-byte limit/);
    expect(() => small.decode(codec.encode(envelopeOf('ReportJob', ['x'.repeat(300)])))).toThrow(/exceeds the 200-byte limit/);
  });

  it('refuses to encode an invalid envelope or arguments that are not JSON', () => {
    expect(() => codec.encode(envelopeOf('', []))).toThrow(EnvelopeError);
    expect(() => codec.encode(envelopeOf('ReportJob', [Number.NaN]))).toThrow(/not finite/);
    expect(() => codec.encode(envelopeOf('ReportJob', [new Date() as never]))).toThrow(/not plain JSON/);
  });
});

describe('reading JSON envelopes from other writers', () => {
  const minimal = { job_class: 'SendEmail', job_id: 'j1', queue_name: 'mail', arguments: [], enqueued_at: '2024-05-01T12:00:00Z' };

  it('fills defaults for what a minimal producer leaves out, from settings()', () => {
    configure({ defaultLocale: 'fr', defaultTimezone: 'Europe/Paris' });
    expect(jsonCodec.decode(Buffer.from(JSON.stringify(minimal)))).toEqual({
      ...minimal,
      provider_job_id: null,
      priority: null,
      executions: 0,
      exception_executions: {},
      locale: 'fr',
      timezone: 'Europe/Paris',
      scheduled_at: null,
      envelope_version: 1,
    });
  });

  it('reads the null timezone Rails 6.1 writes when Time.zone is unset, and integer provider ids', () => {
    const envelope = jsonCodec.decode(Buffer.from(JSON.stringify({ ...minimal, timezone: null, provider_job_id: 77, priority: null })));
    expect(envelope.timezone).toBe(DEFAULTS.timezone);
    expect(envelope.provider_job_id).toBe('77');
  });

  it('ignores keys it does not know, as Rails does', () => {
    expect(jsonCodec.decode(Buffer.from(JSON.stringify({ ...minimal, future_field: { a: 1 } })))).not.toHaveProperty('future_field');
  });

  it.each([0, 2, 1.5, '1'])('refuses envelope_version %j', (version) => {
    expect(() => jsonCodec.decode(Buffer.from(JSON.stringify({ ...minimal, envelope_version: version })))).toThrow(EnvelopeError);
  });

  it('reads a body with a UTF-8 byte order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(minimal))]);
    expect(jsonCodec.decode(body).job_class).toBe('SendEmail');
  });
});
