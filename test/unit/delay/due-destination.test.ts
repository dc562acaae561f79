import type { MessageProperties } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { dueDestination } from '../../../src/amqp/delay/destination.js';

const properties = (headers: Record<string, unknown>): MessageProperties => ({ headers }) as unknown as MessageProperties;

describe('the queue a due job is forwarded to', () => {
  it('is named by its delivery key, kept by the broker in the CC header', () => {
    expect(dueDestination(properties({ CC: ['9>5', '=mailers'] }), 'in>9')).toBe('mailers');
  });

  it('falls back to the routing keys the broker recorded in x-death', () => {
    expect(dueDestination(properties({ 'x-death': [{ queue: 'warren.delay.quorum.05', 'routing-keys': ['in>5', '=reports.eu'] }] }), 'in>5')).toBe(
      'reports.eu',
    );
  });

  it('is undefined when no key names a queue (the forwarder dead-letters the job as undeliverable)', () => {
    expect(dueDestination(properties({ CC: ['9>5'] }), 'in>9')).toBeUndefined();
    expect(dueDestination(properties({ CC: ['='] }), 'in>9')).toBeUndefined();
    expect(dueDestination(properties({ CC: 'not-an-array' }), 'in>9')).toBeUndefined();
    expect(dueDestination({} as MessageProperties, 'in>9')).toBeUndefined();
  });

  it('reads headers as own properties only: a CC inherited through a __proto__ header is ignored', () => {
    const headers = Object.create({ CC: ['=evil'] }) as Record<string, unknown>;
    expect(dueDestination(properties(headers), 'in>9')).toBeUndefined();
  });
});
