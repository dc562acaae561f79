import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter } from '../../../src/adapters/amqp/amqp-adapter.js';
import { immediateOnly } from '../../../src/amqp/delay/scheduler.js';
import { BrokerProbe, uniquePrefix } from '../helpers/broker-probe.js';
import { envelopeFor } from '../helpers/envelope.js';

const url = inject('amqpUrl');

/** Takes every message off the queue: job id -> the message's broker priority. */
async function brokerPriorities(probe: BrokerProbe, queue: string): Promise<Map<string, number | undefined>> {
  const priorities = new Map<string, number | undefined>();
  for (;;) {
    const message = await probe.get(queue);
    if (!message) return priorities;
    priorities.set(String(message.properties.messageId), message.properties.priority as number | undefined);
  }
}

describe('AmqpAdapter: priorities on a queue that already exists with other arguments', () => {
  let prefix: string;
  let probe: BrokerProbe;
  let adapter: AmqpAdapter | undefined;
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
  });

  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  it("maps job priorities against the existing queue's own x-max-priority (3), not warren's default 10", async () => {
    const queue = `${prefix}max3`;
    queues.push(queue);
    await probe.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 3 } });
    adapter = new AmqpAdapter({ url, delays: immediateOnly, logger: pino({ level: 'silent' }) });
    const jobs = [0, 2, 9, null].map((priority) => envelopeFor(queue, { priority }));
    // One after the other: the first publish is the one that finds the queue and adopts it.
    for (const job of jobs) await adapter.enqueue(job);
    const priorities = await brokerPriorities(probe, queue);
    expect(jobs.map((job) => priorities.get(job.job_id))).toEqual([3, 1, 0, 1]);
  });

  it('publishes without a priority, with one warning, to an existing queue that has no max priority', async () => {
    const queue = `${prefix}flat`;
    queues.push(queue);
    await probe.assertQueue(queue, { durable: true });
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    adapter = new AmqpAdapter({ url, delays: immediateOnly, logger });
    const jobs = [0, 5].map((priority) => envelopeFor(queue, { priority }));
    for (const job of jobs) await adapter.enqueue(job);
    const priorities = await brokerPriorities(probe, queue);
    expect(jobs.map((job) => priorities.get(job.job_id))).toEqual([undefined, undefined]);
    expect(lines.filter((line) => line.includes('job priority ignored'))).toHaveLength(1);
  });
});
