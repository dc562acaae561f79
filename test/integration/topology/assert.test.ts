import amqpConnectionManager from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureQueue, parseTopology, type Topology, TopologyDriftError, TopologyError, verifyTopology } from '../../../src/index.js';
import { assertTopology } from '../../../src/amqp/topology/index.js';
import { brokerFixture, type BrokerFixture } from '../../support/broker-fixture.js';

let broker: BrokerFixture;

beforeEach(async () => {
  broker = await brokerFixture();
});

afterEach(async () => {
  await broker.cleanup();
});

function topologyFromYaml(lines: string[]): Topology {
  return parseTopology([{ file: 'topology/app.yaml', text: lines.join('\n') }]);
}

function quorumTopology(): { topology: Topology; queue: string; exchange: string } {
  const exchange = broker.exchange('jobs');
  const dead = broker.exchange('dead');
  const queue = broker.queue('critical');
  const deadQueue = broker.queue('critical-dead');
  const topology = topologyFromYaml([
    `defaultExchange: ${exchange}`,
    `exchanges: [{ name: ${exchange} }, { name: ${dead} }]`,
    'queues:',
    `  - { name: ${queue}, type: quorum, deliveryLimit: 5, deadLetterExchange: ${dead}, messageTtl: 3600000 }`,
    `  - { name: ${deadQueue} }`,
    `bindings: [{ exchange: ${exchange}, queue: ${queue} }, { exchange: ${dead}, queue: ${deadQueue}, routingKey: ${queue} }]`,
  ]);
  return { topology, queue, exchange };
}

describe('assertTopology', () => {
  it('declares a quorum queue from an amqp-connection-manager setup function, and re-running it changes nothing', async () => {
    const { topology, queue, exchange } = quorumTopology();
    const manager = amqpConnectionManager.connect([broker.url]);
    try {
      const wrapper = manager.createChannel({ setup: (channel: Channel) => assertTopology(channel, topology) });
      await wrapper.waitForConnect();
      await wrapper.publish(exchange, queue, Buffer.from('{}'), { persistent: true });
      await expect.poll(() => broker.onChannel((channel) => channel.checkQueue(queue)).then((ok) => ok.messageCount), { timeout: 10_000 }).toBe(1);

      // What a reconnect does: the same setup on a new channel.
      await broker.onChannel((channel) => assertTopology(channel, topology));
      await expect(verifyTopology(broker.connection, topology)).resolves.toMatchObject({ ok: true });
      await wrapper.close();
    } finally {
      await manager.close();
    }
  });

  it("reports a queue declared with other arguments as a TopologyError pointing to verify, without closing the caller's channel", async () => {
    const exchange = broker.exchange('jobs');
    const queue = broker.queue('mailers');
    await broker.onChannel((channel) => channel.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 5 } }));
    const topology = topologyFromYaml([
      `defaultExchange: ${exchange}`,
      `exchanges: [{ name: ${exchange} }]`,
      `queues: [{ name: ${queue}, maxPriority: 10 }]`,
      `bindings: [{ exchange: ${exchange}, queue: ${queue} }]`,
    ]);

    await broker.onChannel(async (channel) => {
      const error = await assertTopology(channel, topology).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TopologyDriftError);
      expect(error).toBeInstanceOf(TopologyError);
      expect((error as Error).name).toBe('TopologyError');
      expect((error as Error).message).toContain(`queue '${queue}' has x-max-priority 5 on the broker but 10 in topology/app.yaml`);
      expect((error as Error).message).toContain('Run `warren topology verify` for the full report.');
      expect((error as TopologyDriftError).conflicts).toEqual([
        expect.objectContaining({ kind: 'queue', name: queue, differences: [{ argument: 'x-max-priority', expected: 10, actual: 5 }] }),
      ]);
      // The caller's channel is still open: the 406 happened on a throwaway channel.
      await expect(channel.checkQueue(queue)).resolves.toMatchObject({ queue });
    });
    // Everything else was still declared.
    await expect(broker.onChannel((channel) => channel.checkExchange(exchange))).resolves.toBeDefined();
  });

  it('uses an existing queue that is in no topology file as it is, and still binds it', async () => {
    const exchange = broker.exchange('jobs');
    const legacy = broker.queue('legacy');
    // What warren 0.1 declared by default: a version 1 classic queue with x-max-priority 10.
    await broker.onChannel((channel) => channel.assertQueue(legacy, { durable: true, arguments: { 'x-max-priority': 10 } }));
    const topology = ensureQueue(topologyFromYaml([`defaultExchange: ${exchange}`, `exchanges: [{ name: ${exchange} }]`]), legacy);

    const result = await broker.onChannel((channel) => assertTopology(channel, topology));

    expect(result.adoptedQueues).toEqual([expect.objectContaining({ name: legacy })]);
    expect(result.adoptedQueues[0]?.differences).toEqual(
      expect.arrayContaining([
        { argument: 'x-queue-version', expected: 2, actual: undefined },
        { argument: 'x-max-priority', expected: undefined, actual: 10 },
      ]),
    );
    expect(result.adoptedQueues[0]?.description).toContain('its x-max-priority 10 orders its jobs by priority');
    expect(result.adoptedQueues[0]?.description).toContain('{"queue-version":2}');
    await broker.onChannel(async (channel) => channel.publish(exchange, legacy, Buffer.from('{}')));
    await expect.poll(() => broker.onChannel((channel) => channel.checkQueue(legacy)).then((ok) => ok.messageCount), { timeout: 10_000 }).toBe(1);
    const drift = await verifyTopology(broker.connection, topology);
    expect(drift.ok).toBe(true);
    expect(drift.entries.find((entry) => entry.name === legacy)?.status).toBe('adopted');
  });

  it('without a way to open other channels, turns the first 406 into a TopologyError instead of retrying', async () => {
    const exchange = broker.exchange('jobs');
    await broker.onChannel((channel) => channel.assertExchange(exchange, 'fanout', { durable: true }));
    const topology = topologyFromYaml([`defaultExchange: ${exchange}`, `exchanges: [{ name: ${exchange}, type: direct }]`]);

    await broker.onChannel(async (channel) => {
      // A channel that does not reveal its connection.
      const bare = new Proxy(channel, {
        get: (target, property) => {
          if (property === 'connection') return undefined;
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const error = await assertTopology(bare, topology).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TopologyDriftError);
      expect((error as Error).message).toContain(`exchange '${exchange}' is a fanout exchange on the broker but direct in topology/app.yaml`);
    });
  });
});
