import amqplib from 'amqplib';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DeadLetterQueue, parseTopology, type Topology, Worker } from '../../../src/index.js';
import { waitFor } from '../../support/wait.js';
import { DelayFixture } from './delay-fixture.js';
import { delayRegistry, FlakyTimedJob, recordedRuns, resetRuns, TimedJob } from './delay-jobs.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');

function quorumTopology(queue: string, deadLetterQueue: string): Topology {
  const text = `
exchanges:
  - { name: warren, type: direct }
queues:
  - name: ${queue}
    type: quorum
    deliveryLimit: 2
    deadLetterExchange: ''
    deadLetterRoutingKey: ${deadLetterQueue}
    arguments: { x-dead-letter-strategy: at-least-once, x-overflow: reject-publish }
bindings:
  - { exchange: warren, queue: ${queue}, routingKey: ${queue} }
`;
  return parseTopology([{ file: 'quorum.yaml', text }]);
}

describe('quorum job queues', { timeout: 90_000 }, () => {
  let fixture: DelayFixture;
  let producer: AmqpAdapter;
  let worker: Worker | undefined;

  beforeEach(async () => {
    fixture = await DelayFixture.open(url);
    resetRuns();
  });

  afterEach(async () => {
    await worker?.stop();
    await producer.close();
    resetConfiguration();
    await fixture.cleanup();
  });

  it('receive delayed jobs and retries, and move a crash-looping job to the dead-letter queue past the delivery limit', async () => {
    const queue = fixture.queue('quorum');
    const topology = quorumTopology(queue, fixture.deadLetterQueue);
    producer = new AmqpAdapter({ url, topology, delays: fixture.ladder });
    configure({ adapter: producer });
    worker = new Worker({ url, registry: delayRegistry, topology, handleSignals: false, delays: fixture.ladder, deadLetterQueue: fixture.deadLetterQueue });
    await worker.start();

    const dueAt = Date.now() + 400;
    await TimedJob.set({ queue, waitUntil: dueAt }).performLater('delayed', dueAt);
    await FlakyTimedJob.set({ queue }).performLater('flaky');
    await waitFor(() => recordedRuns().some((run) => run.label === 'delayed'), 'the delayed job');
    await waitFor(() => recordedRuns().filter((run) => run.label === 'flaky').length === 3, 'the third execution of the flaky job');
    const delayed = recordedRuns().find((run) => run.label === 'delayed')!;
    expect(delayed.at).toBeGreaterThanOrEqual(delayed.dueAt);
    await worker.stop();
    worker = undefined;

    // A job whose worker dies each time: delivered, then handed back (as a closed channel does), again and again.
    await TimedJob.set({ queue }).performLater('crash-loop', 0);
    const connection = await amqplib.connect(url);
    try {
      const channel = await connection.createChannel();
      for (let delivery = 0; delivery < 10 && (await fixture.probe.messageCount(queue)) > 0; delivery += 1) {
        const message = await channel.get(queue, { noAck: false });
        if (message) channel.nack(message, false, true);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await connection.close();
    }
    const deadLetters = await DeadLetterQueue.open({ url, queue: fixture.deadLetterQueue });
    try {
      await waitFor(async () => (await deadLetters.count()) === 1, 'the dead letter');
      const [letter] = await deadLetters.list();
      expect(letter).toMatchObject({ jobClass: 'TimedJob', reason: 'delivery-limit', originalQueue: queue });
    } finally {
      await deadLetters.close();
    }
  });
});
