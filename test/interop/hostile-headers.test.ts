// A message whose header table is larger than amqplib can encode (64 KiB; another client, here
// pika, can send up to the frame size): the worker must dead-letter it once, with its body and
// reason, and keep running. amqplib 2.3 throws a RangeError for such headers; earlier versions
// sent a broken frame and the broker closed the connection, so the message looped.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, HEADERS, JobRegistry, Worker } from '../../src/index.js';
import { RecordJob, onReport } from '../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { INTEROP_PACKAGES, ensureDebianPackages } from '../support/interop/toolchains.js';
import { runOk } from '../support/processes.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');

const PUBLISH = `
import sys, pika
url, queue, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.confirm_delivery()
headers = {"big": "x" * size, "warren-executions": 0}
channel.basic_publish("", queue, b"{not json", pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id="hostile-1", headers=headers))
connection.close()
`;

describe('a message with headers too large to re-encode', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix();
  const queue = `${prefix}big-headers`;
  const deadLetterQueue = `${prefix}dead`;
  let broker: BrokerProbe;
  let worker: Worker;

  beforeAll(async () => {
    ensureDebianPackages(INTEROP_PACKAGES.python);
    broker = await BrokerProbe.open(url);
    worker = new Worker({ url, registry: new JobRegistry().register(RecordJob), queues: [queue], deadLetterQueue, handleSignals: false });
    await worker.start();
  }, 900_000);

  afterAll(async () => {
    await worker?.stop();
    await broker?.deleteQueues([queue, deadLetterQueue]);
    await broker?.close();
  });

  it('is dead-lettered once with its body, reason and a note that its headers were dropped; the worker goes on', async () => {
    const dead: string[] = [];
    worker.events.on('job:dead', ({ reason }) => dead.push(reason));
    await runOk('/usr/bin/python3', ['-c', PUBLISH, url, queue, String(100_000)]);
    const letter = await broker.take(deadLetterQueue, 30_000);
    expect(letter.content.toString()).toBe('{not json');
    const headers = letter.properties.headers ?? {};
    expect(headers[HEADERS.reason]).toBe('undecodable');
    expect(String(headers[HEADERS.headersDropped])).toContain('too large');
    expect(headers.big).toBeUndefined();
    expect(letter.properties.messageId).toBe('hostile-1');
    // Nothing loops: the queue is empty, one dead letter, and the worker still performs jobs.
    await waitFor(() => dead.length === 1, 'the job:dead event');
    expect(await broker.messageCount(queue)).toBe(0);
    expect(await broker.messageCountIfAny(deadLetterQueue)).toBe(0);
    const performed: string[] = [];
    const unsubscribe = onReport((report) => performed.push(report.label));
    const adapter = new AmqpAdapter({ url });
    try {
      configure({ adapter });
      await RecordJob.set({ queue }).performLater('after the hostile message');
      await waitFor(() => performed.includes('after the hostile message'), 'the worker to perform the next job');
    } finally {
      unsubscribe();
      await adapter.close();
      resetConfiguration();
    }
  });
});
