import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from '../../../src/envelope/lossless-json.js';

describe('parseJson: a key written twice at the top level', () => {
  it('is refused, wherever the second one is', () => {
    for (const text of ['{"a":1,"a":2}', '{ "a" : 1 , "b":{"a":3}, "a" : 2 }', '{"a":"x\\\\","a":1}', '{"a\\"":1,"a\\"":2}']) {
      expect(() => parseJson(text), text).toThrow(JsonSyntaxError);
    }
  });

  it('is told apart from equal keys of nested objects, keys inside strings and escaped quotes', () => {
    const texts = [
      '{"a":{"a":1},"b":[{"a":2},{"a":3}]}',
      '{"a":"\\"a\\":1","b":"x:y"}',
      '{"a\\"":1,"a":2}',
      '{"k":"\\\\"}',
      '{}',
      '{"big":123456789012345678901234567890,"a":1}',
    ];
    for (const text of texts) expect(() => parseJson(text), text).not.toThrow();
  });
});
