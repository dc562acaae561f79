import { describe, expect, it } from 'vitest';
import { flatFieldsJson, jsonNumber } from '../../../src/job/log-line-json.js';

describe('the JSON of a log line', () => {
  it('writes every millisecond duration (3 decimals) exactly as String() does', () => {
    for (let thousandths = -5_000; thousandths <= 250_000; thousandths += 1) {
      const value = Math.round(thousandths) / 1000;
      if (jsonNumber(value) !== String(value)) expect(jsonNumber(value)).toBe(String(value));
    }
    for (const thousandths of [2 ** 31 - 1, 2 ** 31, -(2 ** 31) + 1, 987_654_321_123, 1_000_000_001]) {
      expect(jsonNumber(thousandths / 1000)).toBe(String(thousandths / 1000));
    }
  });

  it('writes other numbers as String() does, and what JSON cannot hold as null (as pino does)', () => {
    for (const value of [0, -0, 1, -17, 2 ** 53, 0.1234, 1e-7, 123456789.5, 1e21, 1.5e300, 0.1 + 0.2, -0.0005]) {
      expect(jsonNumber(value)).toBe(String(value));
    }
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(jsonNumber)).toEqual(['null', 'null', 'null']);
  });

  it('writes flat fields as pino would, and declines fields pino must serialize', () => {
    expect(flatFieldsJson({ event: 'performed', duration_ms: 1.5, halted: false, gone: undefined, none: null, n: Number.NaN })).toBe(
      ',"event":"performed","duration_ms":1.5,"halted":false,"none":null,"n":null',
    );
    expect(flatFieldsJson({ event: 'failed', err: new Error('x') })).toBeUndefined();
    expect(flatFieldsJson({ arguments: ['secret'] })).toBeUndefined();
  });
});
