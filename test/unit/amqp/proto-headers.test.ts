// A header named `__proto__` from the wire: amqplib's decoder assigns it, which sets the headers
// object's prototype. warren must read headers as own properties only.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../../src/amqp/dead-letters/dead-letter-message.js';
import { dueAtOf } from '../../../src/amqp/delay/hold.js';
import { EnvelopeSigner } from '../../../src/index.js';

// amqplib 2 hides lib/ behind `exports`: load its codec by path.
const require = createRequire(import.meta.url);
const codec = require(join(dirname(require.resolve('amqplib')), 'lib', 'codec.js')) as {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number;
  decodeFields(slice: Buffer): Record<string, unknown>;
};

/** Headers as amqplib hands them to a consumer, from a table a hostile producer wrote. */
function fromTheWire(table: Record<string, unknown>): Record<string, unknown> {
  const buffer = Buffer.alloc(4096);
  const length = codec.encodeTable(buffer, table, 0);
  return codec.decodeFields(buffer.subarray(4, length));
}

const hostile = fromTheWire(
  JSON.parse(
    '{"__proto__": {"warren-due-at": 99999999999999, "warren-signature": "hmac-sha256=00", "warren-signature-key": "k1", "warren-reason": "forged"}}',
  ) as Record<string, unknown>,
);

describe('headers named __proto__', () => {
  it('amqplib makes them the prototype (the reason for own-property reads)', () => {
    expect(Object.hasOwn(hostile, 'warren-due-at')).toBe(false);
    expect((hostile as Record<string, unknown>)['warren-due-at']).toBe(99999999999999);
  });

  it('give no due time, no signature and no dead-letter reason', () => {
    expect(dueAtOf(hostile)).toBeUndefined();
    const signer = new EnvelopeSigner({ keys: { k1: 'a-secret-of-at-least-32-bytes-long!!' } });
    expect(signer.check(Buffer.from('{}'), hostile)).toMatchObject({ ok: false, reason: 'unsigned' });
    const letter = describeDeadLetter({ content: Buffer.from('{}'), fields: {}, properties: { headers: hostile } } as unknown as Message);
    expect(letter.reason).not.toBe('forged');
  });
});
