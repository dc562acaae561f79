import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { assertTopology } from '../../../src/amqp/topology/assert.js';
import { defaultTopology, ensureQueue } from '../../../src/index.js';
import { TopologyDriftError } from '../../../src/topology/index.js';

/** A channel that refuses the first `failures` declarations of a queue as RabbitMQ does while a racing quorum queue comes up. */
function fakeConnection(failures: number, message = "NOT_FOUND - home node 'rabbit@localhost' of durable queue 'jobs' in vhost '/' is down or inaccessible") {
  let refused = 0;
  const declared: string[] = [];
  const connection = {
    async createChannel() {
      const channel = Object.assign(new EventEmitter(), {
        async assertExchange() {},
        async bindQueue() {},
        async assertQueue(name: string) {
          if (refused < failures) {
            refused += 1;
            const error = Object.assign(new Error(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "${message}"`), { code: 404 });
            // The broker closes the channel with the error.
            queueMicrotask(() => channel.emit('close'));
            throw error;
          }
          declared.push(name);
          return { queue: name, messageCount: 0, consumerCount: 0 };
        },
        async checkQueue(name: string) {
          return { queue: name, messageCount: 0, consumerCount: 0 };
        },
        async close() {},
      });
      return channel;
    },
  };
  return { connection, declared, refusals: () => refused };
}

describe('a queue declaration RabbitMQ answers with "is down or inaccessible"', () => {
  const topology = ensureQueue(defaultTopology(), 'jobs');

  it('is tried again: a quorum queue another client is creating at the same moment comes up within moments', async () => {
    const fake = fakeConnection(3);
    await assertTopology({} as never, topology, { connection: fake.connection as never });
    expect(fake.refusals()).toBe(3);
    expect(fake.declared).toContain('jobs');
  });

  it('still fails when it does not pass, and any other refusal fails at once', async () => {
    await expect(assertTopology({} as never, topology, { connection: fakeConnection(100).connection as never })).rejects.toBeInstanceOf(TopologyDriftError);
    const other = fakeConnection(1, "NOT_FOUND - no queue 'jobs' in vhost '/'");
    await expect(assertTopology({} as never, topology, { connection: other.connection as never })).rejects.toBeInstanceOf(TopologyDriftError);
    expect(other.refusals()).toBe(1);
  });
});
