// Debounce's read of a key's record (AmqpUniqueLocks.isLatest), with a stand-in for the broker's
// channel: the record is put back after every read, an empty read is tried again (another worker
// may hold the one message for a moment) before it counts as "nothing recorded", and a broker
// that cannot be asked lets the job run (a duplicate at worst, never a lost job). The broker's
// side (the record survives the read, a requeue into the full queue keeps the newest) is tested in
// test/integration/flow/unique.test.ts.
import { describe, expect, it } from 'vitest';
import type { AmqpConnection } from '../../../src/amqp/connection.js';
import { AmqpUniqueLocks } from '../../../src/amqp/unique-locks.js';

/** A connection whose channels answer `get` with the next of `reads` (a holder id, 'empty', or 'missing' for a 404). */
function connectionAnswering(reads: string[]): { connection: AmqpConnection; requeued: string[]; asked: () => number } {
  const requeued: string[] = [];
  let asked = 0;
  const channel = {
    on: () => channel,
    close: async () => {},
    get: async () => {
      const read = reads[Math.min(asked, reads.length - 1)]!;
      asked += 1;
      if (read === 'missing') throw new Error('NOT_FOUND - no queue');
      return read === 'empty' ? false : { content: Buffer.from(read) };
    },
    nack: (message: { content: Buffer }, _allUpTo: boolean, requeue: boolean) => {
      if (requeue) requeued.push(message.content.toString());
    },
  };
  const model = { createChannel: async () => channel };
  return { connection: { current: model } as unknown as AmqpConnection, requeued, asked: () => asked };
}

describe('AmqpUniqueLocks.isLatest', () => {
  it('is true for the recorded job and false for any other, and puts the record back either way', async () => {
    const { connection, requeued } = connectionAnswering(['job-2']);
    const locks = new AmqpUniqueLocks(connection);
    expect(await locks.isLatest('record', 'job-2')).toBe(true);
    expect(await locks.isLatest('record', 'job-1')).toBe(false);
    expect(requeued).toEqual(['job-2', 'job-2']);
  });

  it('reads an empty record again: another worker held the message for a moment', async () => {
    const { connection, asked } = connectionAnswering(['empty', 'empty', 'job-2']);
    expect(await new AmqpUniqueLocks(connection).isLatest('record', 'job-1')).toBe(false);
    expect(asked()).toBe(3);
  });

  it('counts a record still empty after 9 reads, or a missing record queue, as nothing recorded: the job runs', async () => {
    const empty = connectionAnswering(['empty']);
    expect(await new AmqpUniqueLocks(empty.connection).isLatest('record', 'job-1')).toBe(true);
    expect(empty.asked()).toBe(9);
    const missing = connectionAnswering(['missing']);
    expect(await new AmqpUniqueLocks(missing.connection).isLatest('record', 'job-1')).toBe(true);
    expect(missing.asked()).toBe(1);
  });

  it('lets the job run when the broker does not answer within the publish timeout', async () => {
    const silent = { current: { createChannel: () => new Promise(() => {}) } } as unknown as AmqpConnection;
    const started = performance.now();
    expect(await new AmqpUniqueLocks(silent, 100).isLatest('record', 'job-1')).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('lets the job run when the worker is not connected', async () => {
    const locks = new AmqpUniqueLocks({ current: undefined } as unknown as AmqpConnection);
    expect(await locks.isLatest('record', 'job-1')).toBe(true);
  });
});
