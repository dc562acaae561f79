import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyTopology, parseTopology, type Topology, TopologyError, verifyTopology } from '../../../src/index.js';
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

describe('applyTopology', () => {
  it('declares exchanges, classic and quorum queues and bindings, and a second run changes nothing', async () => {
    const jobs = broker.exchange('jobs');
    const dead = broker.exchange('dead');
    const mailers = broker.queue('mailers');
    const critical = broker.queue('critical');
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      'exchanges:',
      `  - { name: ${jobs} }`,
      `  - { name: ${dead}, type: fanout }`,
      'queues:',
      `  - { name: ${mailers}, maxPriority: 10, messageTtl: 60000, deadLetterExchange: ${dead}, consumerTimeout: 600000 }`,
      `  - { name: ${critical}, type: quorum, deliveryLimit: 5, deadLetterExchange: ${dead} }`,
      'bindings:',
      `  - { exchange: ${jobs}, queue: ${mailers} }`,
      `  - { exchange: ${jobs}, queue: ${critical} }`,
    ]);

    const first = await applyTopology(broker.url, topology);
    expect(first.ok).toBe(true);
    expect(first.entries.map((entry) => [entry.kind, entry.action])).toEqual([
      ['exchange', 'created'],
      ['exchange', 'created'],
      ['queue', 'created'],
      ['queue', 'created'],
      ['binding', 'bound'],
      ['binding', 'bound'],
    ]);

    const second = await applyTopology(broker.url, topology);
    expect(second.ok).toBe(true);
    expect(second.entries.filter((entry) => entry.kind !== 'binding').every((entry) => entry.action === 'unchanged')).toBe(true);
    expect(second.format()).toContain('Applied: 0 created, 4 unchanged, 2 bindings declared.');

    const drift = await verifyTopology(broker.url, topology);
    expect(drift.ok).toBe(true);
    expect(drift.entries.every((entry) => entry.status === 'ok')).toBe(true);
    expect(drift.format()).toContain('No drift: the broker matches the topology.');
  });

  it('creates what is missing and leaves a queue with other arguments as it is, reporting how to migrate', async () => {
    const jobs = broker.exchange('jobs');
    const existing = broker.queue('existing');
    const fresh = broker.queue('fresh');
    await broker.onChannel((channel) => channel.assertQueue(existing, { durable: true, arguments: { 'x-max-priority': 3 } }));
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      `exchanges: [{ name: ${jobs} }]`,
      `queues: [{ name: ${existing}, maxPriority: 4 }, { name: ${fresh} }]`,
    ]);

    const report = await applyTopology(broker.url, topology);

    expect(report.ok).toBe(false);
    expect(report.entries.find((entry) => entry.name === fresh)?.action).toBe('created');
    const conflict = report.entries.find((entry) => entry.name === existing);
    expect(conflict?.action).toBe('conflict');
    expect(conflict?.details.join(' ')).toContain(`queue '${existing}' has x-max-priority 3 on the broker but 4 in topology/app.yaml`);
    expect(report.format()).toContain('CONFLICT');
  });
});

describe('verifyTopology', () => {
  it('says in plain words that x-max-priority differs, and how to migrate', async () => {
    const mailers = broker.queue('mailers');
    const jobs = broker.exchange('jobs');
    await broker.onChannel(async (channel) => {
      await channel.assertExchange(jobs, 'direct', { durable: true });
      await channel.assertQueue(mailers, { durable: true, arguments: { 'x-max-priority': 5 } });
    });
    const topology = topologyFromYaml([`defaultExchange: ${jobs}`, `exchanges: [{ name: ${jobs} }]`, `queues: [{ name: ${mailers}, maxPriority: 10 }]`]);

    const report = await verifyTopology(broker.url, topology);

    expect(report.ok).toBe(false);
    const entry = report.entries.find((candidate) => candidate.name === mailers);
    expect(entry).toMatchObject({
      status: 'differs',
      differences: [{ argument: 'x-max-priority', expected: 10, actual: 5 }],
    });
    const text = report.format();
    expect(text).toContain(`DIFFERS    queue '${mailers}'`);
    expect(text).toContain(`queue '${mailers}' has x-max-priority 5 on the broker but 10 in topology/app.yaml.`);
    expect(text).toContain('RabbitMQ cannot change queue arguments in place: declare a new queue under another name and move consumers to it');
    expect(text).toContain(`rabbitmqctl delete_queue ${mailers} --if-empty`);
    expect(text).toContain('Drift: 1 differing.');
  });

  it('reports a missing queue', async () => {
    const jobs = broker.exchange('jobs');
    const missing = broker.queue('missing');
    await broker.onChannel((channel) => channel.assertExchange(jobs, 'direct', { durable: true }));
    const topology = topologyFromYaml([`defaultExchange: ${jobs}`, `exchanges: [{ name: ${jobs} }]`, `queues: [{ name: ${missing} }]`]);

    const report = await verifyTopology(broker.url, topology);

    expect(report.ok).toBe(false);
    expect(report.entries.map((entry) => [entry.name, entry.status])).toEqual([
      [jobs, 'ok'],
      [missing, 'missing'],
    ]);
    expect(report.format()).toContain(`MISSING    queue '${missing}'`);
    // verify never declares anything.
    await expect(broker.onChannel((channel) => channel.checkQueue(missing))).rejects.toMatchObject({ code: 404 });
  });

  it('reports a quorum queue the topology declares as a classic priority queue', async () => {
    const jobs = broker.exchange('jobs');
    const queue = broker.queue('replicated');
    await broker.onChannel(async (channel) => {
      await channel.assertExchange(jobs, 'direct', { durable: true });
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    });
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      `exchanges: [{ name: ${jobs} }]`,
      `queues: [{ name: ${queue}, type: classic, maxPriority: 10 }]`,
    ]);

    const report = await verifyTopology(broker.url, topology);
    const entry = report.entries.find((candidate) => candidate.name === queue);

    expect(entry?.status).toBe('differs');
    // RabbitMQ compares the queue type first; once it differs, nothing else about the queue matters.
    expect(entry?.differences).toEqual([{ argument: 'x-queue-type', expected: 'classic', actual: 'quorum' }]);
    const details = entry?.details.join('\n') ?? '';
    expect(details).toContain(
      `queue '${queue}' is a quorum queue on the broker but classic in topology/app.yaml (quorum queues do not take the x-max-priority it sets)`,
    );
  });

  it('reports a classic queue the topology declares as quorum', async () => {
    const jobs = broker.exchange('jobs');
    const queue = broker.queue('plain');
    await broker.onChannel(async (channel) => {
      await channel.assertExchange(jobs, 'direct', { durable: true });
      await channel.assertQueue(queue, { durable: true });
    });
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      `exchanges: [{ name: ${jobs} }]`,
      `queues: [{ name: ${queue}, type: quorum, deliveryLimit: 5, deadLetterExchange: '' }]`,
    ]);

    const report = await verifyTopology(broker.url, topology);
    const entry = report.entries.find((candidate) => candidate.name === queue);

    expect(entry?.status).toBe('differs');
    expect(entry?.differences).toEqual([
      { argument: 'x-dead-letter-exchange', expected: '', actual: undefined },
      { argument: 'x-queue-type', expected: 'quorum', actual: undefined },
    ]);
    expect(entry?.details[0]).toContain(`is a classic queue on the broker but quorum in topology/app.yaml.`);
  });

  it('names every differing argument, not only the first one the broker reports', async () => {
    const jobs = broker.exchange('jobs');
    const dlxA = broker.exchange('dlx-a');
    const dlxB = broker.exchange('dlx-b');
    const queue = broker.queue('many');
    await broker.onChannel(async (channel) => {
      await channel.assertExchange(jobs, 'direct', { durable: true });
      await channel.assertExchange(dlxA, 'direct', { durable: true });
      await channel.assertExchange(dlxB, 'direct', { durable: true });
      await channel.assertQueue(queue, {
        durable: true,
        arguments: { 'x-max-priority': 3, 'x-message-ttl': 100, 'x-dead-letter-exchange': dlxA },
      });
    });
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      `exchanges: [{ name: ${jobs} }, { name: ${dlxA} }, { name: ${dlxB} }]`,
      `queues: [{ name: ${queue}, maxPriority: 4, messageTtl: 200, deadLetterExchange: ${dlxB}, arguments: { x-max-length: 10 } }]`,
    ]);

    const report = await verifyTopology(broker.url, topology);
    const entry = report.entries.find((candidate) => candidate.name === queue);

    expect(entry?.differences).toEqual(
      expect.arrayContaining([
        { argument: 'x-max-priority', expected: 4, actual: 3 },
        { argument: 'x-message-ttl', expected: 200, actual: 100 },
        { argument: 'x-dead-letter-exchange', expected: dlxB, actual: dlxA },
        { argument: 'x-max-length', expected: 10, actual: undefined },
      ]),
    );
    expect(entry?.differences).toHaveLength(4);
    expect(entry?.details.join(' ')).toContain('can come from a policy instead (`rabbitmqctl set_policy`)');
  });

  it('reports an exchange of another type', async () => {
    const jobs = broker.exchange('jobs');
    await broker.onChannel((channel) => channel.assertExchange(jobs, 'topic', { durable: true }));
    const topology = topologyFromYaml([`defaultExchange: ${jobs}`, `exchanges: [{ name: ${jobs}, type: direct }]`]);

    const report = await verifyTopology(broker.url, topology);

    expect(report.entries[0]).toMatchObject({ status: 'differs', differences: [{ argument: 'type', expected: 'direct', actual: 'topic' }] });
    expect(report.format()).toContain(`exchange '${jobs}' is a topic exchange on the broker but direct in topology/app.yaml`);
    expect(report.format()).toContain('RabbitMQ cannot change an exchange in place');
  });

  it('leaves no channel open and the connection usable when checks fail', async () => {
    const jobs = broker.exchange('jobs');
    const differing = broker.queue('differing');
    const missing = broker.queue('missing');
    await broker.onChannel(async (channel) => {
      await channel.assertExchange(jobs, 'topic', { durable: true });
      await channel.assertQueue(differing, { durable: true, arguments: { 'x-max-priority': 2 } });
    });
    const topology = topologyFromYaml([
      `defaultExchange: ${jobs}`,
      `exchanges: [{ name: ${jobs} }]`,
      `queues: [{ name: ${differing}, maxPriority: 9 }, { name: ${missing} }]`,
    ]);
    const channelsBefore = broker.openChannelCount();

    const report = await verifyTopology(broker.connection, topology);

    expect(report.entries.map((entry) => entry.status)).toEqual(['differs', 'differs', 'missing']);
    expect(broker.openChannelCount()).toBe(channelsBefore);
    await expect(broker.onChannel((channel) => channel.checkQueue(differing))).resolves.toMatchObject({ queue: differing });
  });

  it('says which broker it could not reach, without the password', async () => {
    const error = await verifyTopology('amqp://guest:s3cret@127.0.0.1:1', topologyFromYaml([])).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as Error).message).toContain('cannot connect to the broker at amqp://guest:***@127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
