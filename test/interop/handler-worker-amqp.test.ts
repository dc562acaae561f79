// The Buffalo-style handler interface on the real broker: RabbitMQ adapter + worker.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AdapterError, EnqueueError, type HandlerArgs, type HandlerContext, HandlerWorker, type HandlerWorkerOptions, jsonCodec } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');

describe('HandlerWorker on RabbitMQ', () => {
  let prefix: string;
  let broker: BrokerProbe;
  const workers: HandlerWorker[] = [];
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    broker = await BrokerProbe.open(url);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    resetConfiguration();
    await broker.deleteQueues(queues.splice(0));
    await broker.close();
  });

  function queue(name: string): string {
    const full = `${prefix}${name}`;
    queues.push(full);
    return full;
  }

  function handlerWorker(options: HandlerWorkerOptions = {}): HandlerWorker {
    const worker = new HandlerWorker({ url, handleSignals: false, deadLetterQueue: queue('dead'), concurrency: 2, ...options });
    workers.push(worker);
    return worker;
  }

  it('performs a registered handler with its args, acks it, and consumes the handler queues by default', async () => {
    const mailers = queue('mailers');
    const worker = handlerWorker();
    const calls: Array<{ args: HandlerArgs; context: HandlerContext }> = [];
    worker.register('send_email', (args, context) => void calls.push({ args, context }), { queue: mailers });
    await worker.start();
    expect(worker.amqpWorker?.queues).toEqual([mailers]);

    const sentAt = new Date('2024-05-01T12:30:45.123Z');
    const enqueued = await worker.perform({ handler: 'send_email', args: { user_id: 123, sent_at: sentAt, big: 2n ** 64n } });
    await waitFor(() => calls.length === 1, 'the handler to run');

    expect(calls[0]!.args).toEqual({ user_id: 123, sent_at: sentAt, big: 2n ** 64n });
    expect(calls[0]!.context).toMatchObject({ handler: 'send_email', jobId: enqueued.jobId, queue: mailers, executions: 1 });
  });

  it('retries a failing handler through the broker, then performs it', async () => {
    const jobs = queue('flaky');
    const worker = handlerWorker({ queues: [jobs] });
    const executions: number[] = [];
    worker.register(
      'flaky',
      (_args, { executions: n }) => {
        executions.push(n);
        if (n < 3) throw new Error(`attempt ${n} failed`);
      },
      { queue: jobs, retry: { attempts: 3, wait: 0 } },
    );
    await worker.start();
    await worker.perform({ handler: 'flaky' });
    await waitFor(() => executions.length === 3, 'three executions');
    expect(executions).toEqual([1, 2, 3]);
  });

  it('dead-letters a failing handler without retries, and a job for a handler nobody registered, with their reasons', async () => {
    const jobs = queue('doomed');
    const dead = `${prefix}dead`;
    const worker = handlerWorker({ queues: [jobs] });
    worker.register('doomed', () => {
      throw new TypeError('cannot send');
    });
    await worker.start();
    const deaths: string[] = [];
    worker.amqpWorker!.events.on('job:dead', ({ reason }) => deaths.push(reason));

    await worker.perform({ handler: 'doomed', queue: jobs });
    const stranger = envelopeFor(jobs, { job_class: 'send_sms', arguments: [{ to: '+34600000000' }] });
    await broker.publishTo('warren', jobs, jsonCodec.encode(stranger), { contentType: 'application/json', messageId: stranger.job_id });
    await waitFor(() => deaths.length === 2, 'two dead letters');

    const letters = [await broker.take(dead), await broker.take(dead)];
    const byReason = Object.fromEntries(letters.map((m) => [m.properties.headers?.['warren-reason'] as string, m.properties.headers]));
    expect(byReason.failed).toMatchObject({ 'warren-error-class': 'TypeError', 'warren-error-message': 'cannot send' });
    expect(byReason['unknown-job']).toMatchObject({ 'warren-error-class': 'UnknownJobError', 'warren-original-queue': jobs });
  });

  it('performIn publishes a delayed job when the adapter has delays, and is an EnqueueError from an AdapterError when it has none', async () => {
    const jobs = queue('later');
    const worker = handlerWorker({ queues: [jobs] });
    const ran: number[] = [];
    worker.register('later', () => void ran.push(Date.now()), { queue: jobs });
    await worker.start();
    const started = Date.now();
    if (worker.adapter.supportsDelays) {
      await worker.performIn({ handler: 'later' }, 300);
      await waitFor(() => ran.length === 1, 'the delayed job');
      expect(ran[0]! - started).toBeGreaterThanOrEqual(300);
    } else {
      const refused = await worker.performIn({ handler: 'later' }, 300).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(EnqueueError);
      expect((refused as EnqueueError).cause).toBeInstanceOf(AdapterError);
      await worker.performAt({ handler: 'later' }, new Date(Date.now() - 1_000)); // already due: no delay needed
      await waitFor(() => ran.length === 1, 'the job that was already due');
    }
  });
});
