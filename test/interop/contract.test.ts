// The contract's refusal rules, as schemas/README.md states them: what a worker does with
// a message it cannot read (dead letter, with the reason in headers).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HandlerWorker } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

describe('the envelope contract on the broker', () => {
  const prefix = uniquePrefix();
  const queue = `${prefix}contract`;
  const deadLetterQueue = `${prefix}dead`;
  let broker: BrokerProbe;
  let worker: HandlerWorker;
  const performed: string[] = [];

  beforeAll(async () => {
    broker = await BrokerProbe.open(url);
    worker = new HandlerWorker({ url, queues: [queue], deadLetterQueue, handleSignals: false });
    worker.register('ping', (_args, { jobId }) => void performed.push(jobId));
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await broker?.deleteQueues([queue, deadLetterQueue]);
    await broker?.close();
  });

  function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      job_class: 'ping',
      job_id: randomUUID(),
      queue_name: queue,
      arguments: [{}],
      enqueued_at: '2024-05-01T12:00:00Z',
      ...overrides,
    };
  }

  async function publish(body: Record<string, unknown> | string, contentType = 'application/json'): Promise<string> {
    const messageId = typeof body === 'string' ? randomUUID() : String(body.job_id);
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    await broker.publishTo('warren', queue, content, { contentType, messageId, persistent: true });
    return messageId;
  }

  async function deadLetter(messageId: string): Promise<Record<string, unknown>> {
    const message = await broker.take(deadLetterQueue);
    expect(message.properties.messageId).toBe(messageId);
    return message.properties.headers as Record<string, unknown>;
  }

  it('performs a minimal envelope (only the required fields) published to the warren exchange by queue name', async () => {
    const jobId = await publish(envelope());
    await waitFor(() => performed.includes(jobId), 'the minimal job');
  });

  it('dead-letters an unknown envelope version with the reason "unsupported envelope version N"', async () => {
    const messageId = await publish(envelope({ envelope_version: 2 }));
    expect(await deadLetter(messageId)).toMatchObject({
      'warren-reason': 'undecodable',
      'warren-error-class': 'EnvelopeError',
      'warren-error-message': 'unsupported envelope version 2',
      'warren-original-queue': queue,
    });
  });

  it('dead-letters an unknown content type, a body that is not JSON and a missing required field, each with its reason', async () => {
    const xml = await publish('<job/>', 'application/xml');
    expect(await deadLetter(xml)).toMatchObject({ 'warren-reason': 'undecodable', 'warren-error-message': 'unknown content type "application/xml"' });
    const garbage = await publish('{"job_class":', 'application/json');
    expect(await deadLetter(garbage)).toMatchObject({ 'warren-reason': 'undecodable' });
    const missing = await publish(envelope({ enqueued_at: undefined }));
    expect(await deadLetter(missing)).toMatchObject({ 'warren-reason': 'undecodable', 'warren-error-message': 'missing field enqueued_at' });
  });

  it('dead-letters a handler job whose arguments are not one hash, as a deserialization failure', async () => {
    const messageId = await publish(envelope({ arguments: [1, 2] }));
    const headers = await deadLetter(messageId);
    expect(headers).toMatchObject({ 'warren-reason': 'deserialization', 'warren-error-class': 'DeserializationError' });
    expect(String(headers['warren-error-message'])).toContain('takes one argument, a hash');
  });
});
