import { createServer, connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DELAY_HEADERS, parseTopology, type Worker, type WorkerOptions } from '../../../src/index.js';
import amqplib from 'amqplib';
import { dueAtOf } from '../../../src/amqp/delay/hold.js';
import { envelopeFor } from '../../support/envelope.js';
import { waitFor } from '../../support/wait.js';
import { collect, DelayFixture } from './delay-fixture.js';
import { recordedRuns, resetRuns, TimedJob } from './delay-jobs.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');

describe('delayed jobs through the TTL-queue ladder', { timeout: 90_000 }, () => {
  let fixture: DelayFixture;
  let producer: AmqpAdapter;

  beforeEach(async () => {
    fixture = await DelayFixture.open(url);
    producer = new AmqpAdapter({ url, delays: fixture.ladder });
    configure({ adapter: producer });
    resetRuns();
  });

  afterEach(async () => {
    await fixture.stopWorkers();
    await producer.close();
    resetConfiguration();
    await fixture.cleanup();
  });

  const startWorker = (options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> => fixture.startWorker(options);

  const ran = (label: string): boolean => recordedRuns().some((run) => run.label === label);

  it('a 100 ms job enqueued after a one-hour job runs after about 100 ms, not behind it (no head-of-line blocking)', async () => {
    const queue = fixture.queue('jobs');
    await startWorker({ queues: [queue] });
    const hourDue = Date.now() + 3_600_000;
    await TimedJob.set({ queue, waitUntil: hourDue }).performLater('hour', hourDue);
    const shortDue = Date.now() + 100;
    await TimedJob.set({ queue, waitUntil: shortDue }).performLater('short', shortDue);

    await waitFor(() => ran('short'), 'the 100 ms job');
    const short = recordedRuns().find((run) => run.label === 'short')!;
    expect(short.at).toBeGreaterThanOrEqual(short.dueAt);
    expect(ran('hour')).toBe(false);
    expect(await fixture.waitingInLadder()).toBe(1);
  });

  it('never performs a delayed job before its due time (many random short delays)', async () => {
    const queue = fixture.queue('random');
    await startWorker({ queues: [queue], concurrency: 50 });
    const count = 150;
    await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const dueAt = Date.now() + 1 + Math.floor(Math.random() * 3_000);
        return TimedJob.set({ queue, waitUntil: dueAt }).performLater(`job-${index}`, dueAt);
      }),
    );
    await waitFor(() => recordedRuns().length === count, `${count} delayed jobs`);
    const early = recordedRuns().filter((run) => run.at < run.dueAt);
    expect(early).toEqual([]);
    expect(new Set(recordedRuns().map((run) => run.label)).size).toBe(count);
  });

  it('holds a job that arrives a little early until it is due, and sends one that arrives far too early round the ladder again', async () => {
    const queue = fixture.queue('early');
    const worker = await startWorker({ queues: [queue], maxHoldMs: 300 });
    const held = collect(worker, 'job:held');
    const redelayed = collect(worker, 'job:redelayed');
    // Published straight into the job queue with a due time, as a producer in another language might.
    const soon = Date.now() + 200;
    await fixture.probe.publish(queue, Buffer.from(JSON.stringify(envelopeFor(queue, { job_class: 'TimedJob', arguments: ['soon', soon] }))), {
      contentType: 'application/json',
      messageId: 'soon',
      headers: { [DELAY_HEADERS.dueAt]: soon },
    });
    const later = Date.now() + 1_500;
    await fixture.probe.publish(queue, Buffer.from(JSON.stringify(envelopeFor(queue, { job_class: 'TimedJob', arguments: ['later', later] }))), {
      contentType: 'application/json',
      messageId: 'later',
      headers: { [DELAY_HEADERS.dueAt]: later },
    });
    await waitFor(() => ran('soon') && ran('later'), 'both jobs');
    expect(held.map((event) => event.messageId)).toContain('soon');
    expect(redelayed.map((event) => event.messageId)).toEqual(['later']);
    for (const run of recordedRuns()) expect(run.at).toBeGreaterThanOrEqual(run.dueAt);
  });

  it('a held job does not hold up a graceful stop: it goes back to its queue at once', async () => {
    const queue = fixture.queue('held-at-stop');
    const worker = await startWorker({ queues: [queue], maxHoldMs: 60_000 });
    const held = collect(worker, 'job:held');
    const dueAt = Date.now() + 30_000;
    await fixture.probe.publish(queue, Buffer.from(JSON.stringify(envelopeFor(queue, { job_class: 'TimedJob', arguments: ['held', dueAt] }))), {
      contentType: 'application/json',
      messageId: 'held',
      headers: { [DELAY_HEADERS.dueAt]: dueAt },
    });
    await waitFor(() => held.length === 1, 'the job to be held');
    await worker.stop();
    expect(ran('held')).toBe(false);
    await waitFor(async () => (await fixture.probe.messageCount(queue)) === 1, 'the held job back in its queue');
  });

  it('a delayed job keeps its priority: due jobs are performed most important first', async () => {
    const queue = fixture.queue('prioritized');
    // Priorities are per queue: a topology that producer and worker share declares them.
    const topology = parseTopology([
      { file: 'prioritized.yaml', text: `queues:\n  - name: ${queue}\n    maxPriority: 10\nbindings:\n  - exchange: warren\n    queue: ${queue}\n` },
    ]);
    const prioritized = new AmqpAdapter({ url, delays: fixture.ladder, topology });
    configure({ adapter: prioritized });
    const dueAt = Date.now() + 300;
    try {
      // Active Job's convention: a lower number is more important.
      for (const priority of [5, 1, 9, 3]) {
        await TimedJob.set({ queue, waitUntil: dueAt, priority }).performLater(`p${priority}`, dueAt);
      }
    } finally {
      await prioritized.close();
      configure({ adapter: producer });
    }
    // A worker of another queue forwards the due jobs (every worker does); none is performed yet.
    await startWorker({ queues: [fixture.queue('forwarder-only')] });
    await waitFor(async () => (await fixture.probe.messageCountIfAny(queue)) === 4, 'the four jobs in their queue');
    await startWorker({ queues: [queue], concurrency: 1, topology });
    await waitFor(() => recordedRuns().length === 4, 'four jobs');
    expect(recordedRuns().map((run) => run.label)).toEqual(['p1', 'p3', 'p5', 'p9']);
  });

  it('a delay longer than the whole ladder goes round it again until due', async () => {
    const small = await DelayFixture.open(url, { levels: 8 }); // at most 224 ms per pass (levels 5..7)
    try {
      const smallProducer = new AmqpAdapter({ url, delays: small.ladder });
      const queue = small.queue('long');
      const worker = await small.startWorker({ queues: [queue], maxHoldMs: 100 });
      const redelayed = collect(worker, 'job:redelayed');
      const dueAt = Date.now() + 1_200;
      await smallProducer.enqueueAt(envelopeFor(queue, { job_class: 'TimedJob', arguments: ['long', dueAt] }), dueAt);
      await waitFor(() => ran('long'), 'the long-delayed job');
      expect(redelayed.length).toBeGreaterThanOrEqual(1);
      const run = recordedRuns().find((entry) => entry.label === 'long')!;
      expect(run.at).toBeGreaterThanOrEqual(run.dueAt);
      await smallProducer.close();
    } finally {
      await small.stopWorkers();
      await small.cleanup();
    }
  });

  it('counts a delay from the moment the job is sent, not from performLater: a slow first connection does not make the first delayed job late', async () => {
    const queue = fixture.queue('slow-connect');
    await startWorker({ queues: [queue] });
    // A proxy that holds every new connection for 3 s before passing it on to the broker.
    const broker = new URL(url);
    const sockets: Socket[] = [];
    const proxy = createServer((client) => {
      sockets.push(client);
      client.pause();
      setTimeout(() => {
        const upstream = connectTcp(Number(broker.port || 5672), broker.hostname, () => {
          client.pipe(upstream).pipe(client);
          client.resume();
        });
        sockets.push(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      }, 3_000);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String((proxy.address() as AddressInfo).port);
    const slowProducer = new AmqpAdapter({ url: proxied.toString(), delays: fixture.ladder });
    try {
      configure({ adapter: slowProducer });
      const enqueuedAt = Date.now();
      const dueAt = enqueuedAt + 5_000;
      await TimedJob.set({ queue, waitUntil: dueAt }).performLater('first', dueAt);
      expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(3_000); // confirmed only after the slow connection
      await waitFor(() => ran('first'), 'the first delayed job');
      const run = recordedRuns().find((entry) => entry.label === 'first')!;
      expect(run.at).toBeGreaterThanOrEqual(dueAt);
      // Placed in the ladder when it was sent, for the 2 s then left: due on time. Placed when
      // performLater was called, its 5 s would have started 3 s late, at the broker.
      expect(run.at - dueAt).toBeLessThan(2_000);
    } finally {
      await slowProducer.close();
      for (const socket of sockets) socket.destroy();
      proxy.close();
    }
  });

  it('declares the ladder as part of the topology: quorum level queues whose messages share one TTL, and the due queue', async () => {
    const queue = fixture.queue('declared');
    await startWorker({ queues: [queue] });
    const names = fixture.ladder.queueNames();
    const due = fixture.ladder.dueQueue!;
    const levels = names.filter((name) => name !== due);
    expect(levels.length).toBeGreaterThan(10);
    for (const name of names) expect(await fixture.probe.queueExists(name)).toBe(true);
    const plannedLevels = producer.topology.queues.filter((spec) => levels.includes(spec.name));
    expect(plannedLevels).toHaveLength(levels.length);
    expect(
      plannedLevels.every(
        (spec) =>
          spec.type === 'quorum' &&
          spec.origin === 'generated' &&
          spec.messageTtlMs !== undefined &&
          spec.arguments['x-dead-letter-strategy'] === 'at-least-once',
      ),
    ).toBe(true);
    expect(producer.topology.queues.find((spec) => spec.name === due)).toMatchObject({ type: 'quorum', deliveryLimit: 1_000, deadLetterExchange: undefined });
  });
  it('never puts a delayed job into its queue before it is due: a consumer that is not warren (no hold of its own) never sees one early', async () => {
    const queue = fixture.queue('foreign');
    await startWorker({ queues: [fixture.queue('warren-own')] }); // its forwarder moves due jobs
    await TimedJob.set({ queue }).performLater('warm-up', Date.now()); // declares the queue
    const connection = await amqplib.connect(url);
    const arrivals: Array<{ at: number; dueAt: number | undefined }> = [];
    try {
      const channel = await connection.createChannel();
      await channel.consume(queue, (message) => {
        if (!message) return;
        arrivals.push({ at: Date.now(), dueAt: dueAtOf(message.properties.headers as Record<string, unknown> | undefined) });
        channel.ack(message);
      });
      const count = 60;
      await Promise.all(
        Array.from({ length: count }, (_, index) => {
          const dueAt = Date.now() + 50 + Math.floor(Math.random() * 2_000);
          return TimedJob.set({ queue, waitUntil: dueAt }).performLater(`foreign-${index}`, dueAt);
        }),
      );
      await waitFor(() => arrivals.length === count + 1, `${count} delayed jobs at the foreign consumer`, 30_000);
    } finally {
      await connection.close();
    }
    const delayed = arrivals.filter((arrival) => arrival.dueAt !== undefined);
    expect(delayed).toHaveLength(60);
    expect(delayed.filter((arrival) => arrival.at < arrival.dueAt!).map((arrival) => arrival.at - arrival.dueAt!)).toEqual([]);
  });
});
