import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { AdapterError, AmqpAdapter, configure, EnqueueError, type Envelope, immediateOnly, parseTopology, performAllLater, Worker } from '../../src/index.js';
import { WARREN_VERSION } from '../../src/support/package-info.js';
import { RecordJob, registry } from '../fixtures/jobs.js';
import { useBrokerScratch } from '../support/broker-scratch.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

describe('AmqpAdapter publishing', () => {
  const scratch = useBrokerScratch(url);

  it('performLater resolves once the broker confirmed the job, and the message is then in its queue', async () => {
    const queue = `${scratch.prefix}confirm`;
    scratch.queues.push(queue);
    const adapter = scratch.adopt(new AmqpAdapter({ url }));
    configure({ adapter });
    const job = await RecordJob.set({ queue }).performLater('hello');
    expect(job.successfullyEnqueued).toBe(true);
    expect(await scratch.probe.messageCount(queue)).toBe(1);

    const message = await scratch.probe.get(queue);
    if (!message) throw new Error('no message in the queue');
    expect(message.properties.messageId).toBe(job.jobId);
    expect(message.properties.type).toBe('RecordJob');
    expect(message.properties.contentType).toBe('application/json');
    expect(message.properties.deliveryMode).toBe(2);
    expect(typeof message.properties.timestamp).toBe('number');
    expect(message.properties.headers?.['warren-version']).toBe(WARREN_VERSION);
    const envelope = JSON.parse(message.content.toString('utf8')) as Envelope;
    expect(envelope).toMatchObject({ job_class: 'RecordJob', job_id: job.jobId, queue_name: queue, arguments: ['hello'] });
  });

  it('maps Active Job priorities (lower = more important) to broker priorities on queues with a max priority', async () => {
    const queue = `${scratch.prefix}prio`;
    scratch.queues.push(queue);
    const topology = parseTopology([
      { file: 'prio.yaml', text: `queues:\n  - name: ${queue}\n    maxPriority: 10\nbindings:\n  - exchange: warren\n    queue: ${queue}\n` },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology }));
    await adapter.enqueue(envelopeFor(queue, { priority: 10 }));
    await adapter.enqueue(envelopeFor(queue, { priority: 0 }));
    const first = await scratch.probe.get(queue);
    const second = await scratch.probe.get(queue);
    // x-max-priority 10: priority 0 becomes 10 and is delivered first.
    expect(first === false ? false : first.properties.priority).toBe(10);
    expect(second === false ? false : second.properties.priority).toBe(0);
  });

  it('declares a queue no topology lists as classic version 2 without priorities, and delivers its jobs in order', async () => {
    const queue = `${scratch.prefix}plain`;
    scratch.queues.push(queue);
    const adapter = scratch.adopt(new AmqpAdapter({ url }));
    await adapter.enqueue(envelopeFor(queue, { priority: 10, job_id: 'first' }));
    await adapter.enqueue(envelopeFor(queue, { priority: 0, job_id: 'second' }));
    // The broker compares these arguments on a re-declare: it accepts exactly warren's default.
    await scratch.probe.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic', 'x-queue-version': 2 } });
    const first = await scratch.probe.get(queue);
    const second = await scratch.probe.get(queue);
    expect(first === false ? false : [first.properties.messageId, first.properties.priority]).toEqual(['first', undefined]);
    expect(second === false ? false : second.properties.messageId).toBe('second');
  });

  it('rejects an unroutable job with an EnqueueError naming the exchange and routing key', async () => {
    const queue = `${scratch.prefix}lost`;
    const exchange = `${scratch.prefix}x`;
    scratch.queues.push(queue);
    scratch.exchanges.push(exchange);
    // The queue exists, but its route names a routing key nothing is bound with.
    const topology = parseTopology([
      {
        file: 'unroutable.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${queue}\nroutes:\n  queues:\n    ${queue}:\n      exchange: ${exchange}\n      routingKey: nowhere\n`,
      },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology }));
    configure({ adapter });
    const failure = await RecordJob.set({ queue })
      .performLater('lost')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toContain(`"${exchange}"`);
    expect((failure as Error).message).toContain('"nowhere"');
  });

  it('fails the publish with the broker reason when the channel is closed by an error, then publishes again', async () => {
    const queue = `${scratch.prefix}gone`;
    const exchange = `${scratch.prefix}gx`;
    scratch.queues.push(queue);
    scratch.exchanges.push(exchange);
    const topology = parseTopology([
      {
        file: 'gone.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${queue}\nbindings:\n  - exchange: ${exchange}\n    queue: ${queue}\n`,
      },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology, reconnectMinMs: 100 }));
    await adapter.enqueue(envelopeFor(queue));
    // Someone deletes the exchange under the running publisher: the next publish gets a 404 channel close.
    await scratch.probe.deleteExchanges([exchange]);
    const failure = await adapter.enqueue(envelopeFor(queue)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toMatch(/404/);
    expect((failure as Error).message).toContain(exchange);
    // The publisher reconnects and declares its topology again.
    let published = false;
    for (let attempt = 0; attempt < 50 && !published; attempt += 1) {
      published = await adapter.enqueue(envelopeFor(queue)).then(
        () => true,
        async () => (await new Promise((resolve) => setTimeout(resolve, 200)), false),
      );
    }
    expect(published).toBe(true);
    expect(await scratch.probe.messageCount(queue)).toBe(2);
  });

  it('ignores a priority on a queue without a max priority, warning once per queue', async () => {
    const queue = `${scratch.prefix}flat`;
    scratch.queues.push(queue);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const topology = parseTopology([{ file: 'flat.yaml', text: `queues:\n  - name: ${queue}\nbindings:\n  - exchange: warren\n    queue: ${queue}\n` }]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology, logger }));
    await adapter.enqueue(envelopeFor(queue, { priority: 1 }));
    await adapter.enqueue(envelopeFor(queue, { priority: 2 }));
    const message = await scratch.probe.get(queue);
    expect(message === false ? false : message.properties.priority).toBeUndefined();
    expect(lines.filter((line) => line.includes('job priority ignored'))).toHaveLength(1);
  });

  it('reports one outcome per job for a bulk enqueue, failures included', async () => {
    const queue = `${scratch.prefix}bulk`;
    const exchange = `${scratch.prefix}bx`;
    scratch.queues.push(queue, `${scratch.prefix}nowhere`);
    scratch.exchanges.push(exchange);
    const topology = parseTopology([
      {
        file: 'bulk.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${scratch.prefix}nowhere\nroutes:\n  queues:\n    ${scratch.prefix}nowhere:\n      exchange: ${exchange}\n      routingKey: nowhere\n`,
      },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology }));
    configure({ adapter });
    const jobs = [RecordJob.set({ queue }).build('a'), RecordJob.set({ queue: `${scratch.prefix}nowhere` }).build('b'), RecordJob.set({ queue }).build('c')];
    const count = await performAllLater(jobs);
    expect(count).toBe(2);
    expect(jobs.map((job) => job.successfullyEnqueued)).toEqual([true, false, true]);
    expect(await scratch.probe.messageCount(queue)).toBe(2);
  });

  it('refuses a job above the size limit before publishing', async () => {
    const queue = `${scratch.prefix}big`;
    scratch.queues.push(queue);
    const adapter = scratch.adopt(new AmqpAdapter({ url, maxMessageBytes: 1_000 }));
    const failure = await adapter.enqueue(envelopeFor(queue, { arguments: ['x'.repeat(2_000)] })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toMatch(/above the limit of 1000 bytes/);
    expect(await scratch.probe.queueExists(queue)).toBe(false);
  });

  it('publishes a job due now or in the past at once', async () => {
    const queue = `${scratch.prefix}when`;
    scratch.queues.push(queue);
    const adapter = scratch.adopt(new AmqpAdapter({ url }));
    await adapter.enqueueAt(envelopeFor(queue), Date.now() - 1_000);
    expect(await scratch.probe.messageCount(queue)).toBe(1);
  });

  it('holds a delayed job in a TTL queue and delivers it to its queue no earlier than its time', async () => {
    scratch.delayQueuesUsed = true;
    const queue = `${scratch.prefix}later`;
    scratch.queues.push(queue);
    const topology = parseTopology([
      { file: 'later.yaml', text: `queues:\n  - name: ${queue}\n    maxPriority: 10\nbindings:\n  - exchange: warren\n    queue: ${queue}\n` },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology }));
    expect(adapter.supportsDelays).toBe(true);
    configure({ adapter });
    // A worker (of another queue) forwards due jobs from the ladder into their queues.
    const forwarderQueue = `${scratch.prefix}forwarder`;
    scratch.queues.push(forwarderQueue);
    const forwarder = new Worker({ url, registry, queues: [forwarderQueue], handleSignals: false });
    await forwarder.start();
    try {
      const job = await RecordJob.set({ queue, wait: 1_000 }).performLater('later');
      const due = job.scheduledAt!.getTime();
      expect(await scratch.probe.messageCount(queue)).toBe(0);
      await waitFor(async () => (await scratch.probe.messageCount(queue)) === 1, 'the delayed job in its queue');
      expect(Date.now()).toBeGreaterThanOrEqual(due);
      const message = await scratch.probe.get(queue);
      expect(message === false ? false : message.properties.messageId).toBe(job.jobId);
      // It kept its properties through the dead-letter hops and the forward.
      expect(message === false ? false : message.properties.priority).toBe(5);
    } finally {
      await forwarder.stop();
    }
  });

  it('refuses a future job with an AdapterError when configured without delays', async () => {
    const adapter = scratch.adopt(new AmqpAdapter({ url, delays: immediateOnly }));
    expect(adapter.supportsDelays).toBe(false);
    const failure = await adapter.enqueueAt(envelopeFor(`${scratch.prefix}never`), Date.now() + 60_000).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdapterError);
    expect((failure as Error).message).toMatch(/cannot delay/);
  });

  it('settles every publish with an EnqueueError within the timeout while the broker is unreachable, without leaking the password', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const adapter = scratch.adopt(new AmqpAdapter({ url: 'amqp://warren:s3cret-pw@127.0.0.1:1', publishTimeoutMs: 1_500, logger, reconnectMinMs: 100 }));
    const events: unknown[] = [];
    adapter.events.on('connection:failed', (event) => events.push(event));
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => adapter!.enqueue(envelopeFor(`${scratch.prefix}nowhere`))));
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(EnqueueError);
      expect(error.message).toMatch(/timed out within 1500 ms: the broker at amqp:\/\/warren:\*\*\*@127\.0\.0\.1:1 is unreachable/);
      expect(error.message).not.toContain('s3cret-pw');
    }
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('s3cret-pw');
    expect(lines.join('')).toContain('cannot connect: the broker at');
    expect(lines.join('')).not.toContain('s3cret-pw');
  });

  it('encodes envelopes with protobuf when asked', async () => {
    const queue = `${scratch.prefix}proto`;
    scratch.queues.push(queue);
    const adapter = scratch.adopt(new AmqpAdapter({ url, encoding: 'protobuf' }));
    await adapter.enqueue(envelopeFor(queue));
    const message = await scratch.probe.get(queue);
    expect(message === false ? false : message.properties.contentType).toBe('application/x-protobuf');
  });
});
