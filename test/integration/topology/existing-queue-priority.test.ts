import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, immediateOnly } from '../../../src/index.js';
import type { BrokerProbe } from '../../support/broker-probe.js';
import { useBrokerScratch } from '../../support/broker-scratch.js';
import { envelopeFor } from '../../support/envelope.js';

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
  const scratch = useBrokerScratch(url);

  it("maps job priorities against the existing queue's own x-max-priority (3), although warren's default queue has none", async () => {
    const queue = `${scratch.prefix}max3`;
    scratch.queues.push(queue);
    await scratch.probe.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 3 } });
    const adapter = scratch.adopt(new AmqpAdapter({ url, delays: immediateOnly, logger: pino({ level: 'silent' }) }));
    const jobs = [0, 2, 9, null].map((priority) => envelopeFor(queue, { priority }));
    // One after the other: the first publish is the one that finds the queue and adopts it.
    for (const job of jobs) await adapter.enqueue(job);
    const priorities = await brokerPriorities(scratch.probe, queue);
    expect(jobs.map((job) => priorities.get(job.job_id))).toEqual([3, 1, 0, 1]);
  });

  it('publishes without a priority, with one warning, to an existing queue that has no max priority', async () => {
    const queue = `${scratch.prefix}flat`;
    scratch.queues.push(queue);
    await scratch.probe.assertQueue(queue, { durable: true });
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const adapter = scratch.adopt(new AmqpAdapter({ url, delays: immediateOnly, logger }));
    const jobs = [0, 5].map((priority) => envelopeFor(queue, { priority }));
    for (const job of jobs) await adapter.enqueue(job);
    const priorities = await brokerPriorities(scratch.probe, queue);
    expect(jobs.map((job) => priorities.get(job.job_id))).toEqual([undefined, undefined]);
    expect(lines.filter((line) => line.includes('job priority ignored'))).toHaveLength(1);
  });
});
