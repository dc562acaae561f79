import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Job, JobRegistry, parseTopology, Worker, type WorkerEvents, type WorkerOptions } from '../../src/index.js';
import { BlockingJob, DelayedRetryJob, FailingJob, FlakyJob, RecordJob, onReport, registry, type FixtureReport } from '../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');

describe('Worker', () => {
  let prefix: string;
  /** Set by tests that create TTL delay queues (listing queues to delete them is slow). */
  let delayQueuesUsed = false;
  let probe: BrokerProbe;
  let producer: AmqpAdapter;
  let reports: FixtureReport[];
  let stopListening: () => void;
  const workers: Worker[] = [];
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    producer = new AmqpAdapter({ url });
    configure({ adapter: producer });
    reports = [];
    stopListening = onReport((report) => reports.push(report));
  });

  afterEach(async () => {
    stopListening();
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await producer.close();
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    if (delayQueuesUsed) await probe.deleteQueuesContaining(prefix);
    delayQueuesUsed = false;
    await probe.close();
  });

  function queue(name: string): string {
    const full = `${prefix}${name}`;
    queues.push(full);
    return full;
  }

  async function startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> {
    const deadLetterQueue = queue('dead');
    const worker = new Worker({ url, registry, handleSignals: false, deadLetterQueue, deadLetterRetryDelayMs: 200, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  function collect<E extends keyof WorkerEvents & string>(worker: Worker, event: E): Array<WorkerEvents[E]> {
    const seen: Array<WorkerEvents[E]> = [];
    worker.events.on(event, (payload) => seen.push(payload));
    return seen;
  }

  const performed = (label: string): boolean => reports.some((r) => r.event === 'performed' && r.label === label);

  it('performs enqueued jobs and acks them, leaving the queue empty', async () => {
    const jobs = queue('jobs');
    const worker = await startWorker({ queues: [jobs] });
    const completed = collect(worker, 'job:complete');
    const job = await RecordJob.set({ queue: jobs }).performLater('one');
    await waitFor(() => completed.length === 1, 'job:complete');
    expect(completed[0]).toMatchObject({ jobId: job.jobId, jobClass: 'RecordJob', outcome: 'performed', queue: jobs });
    expect(performed('one')).toBe(true);
    expect(await probe.messageCount(jobs)).toBe(0);
  });

  it('dead-letters undecodable, unknown and failing jobs with their reason, and keeps working', async () => {
    const jobs = queue('bad');
    const worker = await startWorker({ queues: [jobs] });
    const dead = collect(worker, 'job:dead');
    await probe.publish(jobs, Buffer.from('{not json'), { contentType: 'application/json', messageId: 'garbage' });
    await probe.publish(jobs, Buffer.from('hello'), { contentType: 'text/plain', messageId: 'plain' });
    await producer.enqueue(envelopeFor(jobs, { job_class: 'NoSuchJob' }));
    await FailingJob.set({ queue: jobs }).performLater('doomed');
    await waitFor(() => dead.length === 4, 'four dead letters');
    await RecordJob.set({ queue: jobs }).performLater('after');
    await waitFor(() => performed('after'), 'the next job');

    const deadLetterQueue = `${prefix}dead`;
    const letters = [];
    for (let i = 0; i < 4; i += 1) {
      const message = await probe.get(deadLetterQueue);
      if (message) letters.push(message);
    }
    const reasons = letters.map((m) => m.properties.headers?.['warren-reason'] as string).sort();
    expect(reasons).toEqual(['failed', 'undecodable', 'undecodable', 'unknown-job']);
    const garbage = letters.find((m) => m.properties.messageId === 'garbage');
    expect(garbage?.content.toString()).toBe('{not json');
    expect(garbage?.properties.headers).toMatchObject({ 'warren-original-queue': jobs, 'warren-original-routing-key': jobs });
    const failed = letters.find((m) => m.properties.headers?.['warren-reason'] === 'failed');
    expect(failed?.properties.headers).toMatchObject({ 'warren-error-class': 'FixtureFailure', 'warren-error-message': 'failed on purpose: doomed' });
    expect(typeof failed?.properties.headers?.['warren-dead-at']).toBe('string');
    expect(await probe.messageCount(jobs)).toBe(0);
  });

  it('dead-letters a delivery whose handling failed inside warren (a logger that throws), and keeps working', async () => {
    const jobs = queue('log-sink-down');
    const lines: string[] = [];
    // A log sink that fails on one line: the one performDelivery writes for an unreadable message.
    const sink = {
      write(line: string): void {
        if (line.includes('cannot read the message as a job')) throw new Error('log sink down');
        lines.push(line);
      },
    };
    const worker = await startWorker({ queues: [jobs], logger: pino({ level: 'info' }, sink) });
    const dead = collect(worker, 'job:dead');
    await probe.publish(jobs, Buffer.from('{not json'), { contentType: 'application/json', messageId: 'unlogged' });
    await waitFor(() => dead.length === 1, 'job:dead');
    const letter = await probe.get(`${prefix}dead`);
    if (!letter) throw new Error('the dead-letter queue is empty');
    expect(letter.content.toString()).toBe('{not json');
    expect(letter.properties.headers).toMatchObject({ 'warren-reason': 'failed', 'warren-error-message': 'log sink down', 'warren-original-queue': jobs });
    expect(lines.join('')).toContain('unexpected error handling a delivery');
    // Settled, not left holding a prefetch slot: the queue is empty and the next job runs.
    await RecordJob.set({ queue: jobs }).performLater('after the failure');
    await waitFor(() => performed('after the failure'), 'the next job');
    expect(await probe.messageCount(jobs)).toBe(0);
    expect(worker.inFlightCount).toBe(0);
  });

  it('retries through the adapter and acks only once the retry is confirmed', async () => {
    const jobs = queue('flaky');
    const worker = await startWorker({ queues: [jobs] });
    const retries = collect(worker, 'job:retry');
    const job = await FlakyJob.set({ queue: jobs }).performLater('flaky', 2);
    await waitFor(() => performed('flaky'), 'the third execution');
    expect(retries.map((r) => r.jobId)).toEqual([job.jobId, job.jobId]);
    expect(reports.filter((r) => r.label === 'flaky' && r.event === 'started').map((r) => r.executions)).toEqual([1, 2, 3]);
    expect(await probe.messageCountIfAny(`${prefix}dead`)).toBe(0);
  });

  it('delays a retry by its wait through a TTL queue, then performs it', async () => {
    delayQueuesUsed = true;
    const jobs = queue('delayed-retry');
    const worker = await startWorker({ queues: [jobs] });
    const retries = collect(worker, 'job:retry');
    await DelayedRetryJob.set({ queue: jobs }).performLater('wait', 1);
    await waitFor(() => performed('wait'), 'the retried execution', 30_000);
    expect(retries).toHaveLength(1);
    const [first, second] = reports.filter((r) => r.label === 'wait' && r.event === 'started');
    expect(second!.executions).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
  });

  it('performs more important jobs first on a queue with a max priority', async () => {
    const jobs = queue('prio');
    // Priorities are per queue, declared in a topology file that producer and worker both load.
    const topology = parseTopology([
      { file: 'prio.yaml', text: `queues:\n  - name: ${jobs}\n    maxPriority: 10\nbindings:\n  - exchange: warren\n    queue: ${jobs}\n` },
    ]);
    const prioritized = new AmqpAdapter({ url, topology });
    configure({ adapter: prioritized });
    const priorities: Array<number | undefined> = [5, 0, 10, 3, undefined];
    try {
      for (const priority of priorities) {
        const configured = priority === undefined ? RecordJob.set({ queue: jobs }) : RecordJob.set({ queue: jobs, priority });
        await configured.performLater(`p${priority ?? 'none'}`);
      }
    } finally {
      await prioritized.close();
      configure({ adapter: producer });
    }
    await startWorker({ queues: [jobs], concurrency: 1, topology });
    await waitFor(() => reports.length === 5, 'five jobs');
    // Jobs without a priority sit in the middle, with priority 5 (first come, first served).
    expect(reports.map((r) => r.label)).toEqual(['p0', 'p3', 'p5', 'pnone', 'p10']);
  });

  it('on stop, lets the in-flight job finish and acks it before closing', async () => {
    const jobs = queue('drain');
    const worker = await startWorker({ queues: [jobs], shutdownTimeoutMs: 20_000 });
    await BlockingJob.set({ queue: jobs }).performLater('drain', 1_000);
    await waitFor(() => reports.some((r) => r.event === 'started'), 'the job to start');
    await worker.stop();
    expect(performed('drain')).toBe(true);
    expect(await probe.messageCount(jobs)).toBe(0);
  });

  it('on stop, aborts a job still running at the shutdown timeout and leaves it to be redelivered', async () => {
    const jobs = queue('abandon');
    const worker = await startWorker({ queues: [jobs], shutdownTimeoutMs: 300 });
    const abandoned = collect(worker, 'job:abandoned');
    const job = await BlockingJob.set({ queue: jobs }).performLater('long', 60_000);
    await waitFor(() => reports.some((r) => r.event === 'started'), 'the job to start');
    await worker.stop();
    await waitFor(() => reports.some((r) => r.event === 'aborted' && r.label === 'long'), 'perform to see its signal aborted');
    await waitFor(() => abandoned.length === 1, 'job:abandoned');
    expect(abandoned[0]).toMatchObject({ jobId: job.jobId, jobClass: 'BlockingJob' });
    await waitFor(async () => (await probe.messageCount(jobs)) === 1, 'the job back in its queue');
    expect(await probe.messageCountIfAny(`${prefix}dead`)).toBe(0);
  });

  it('re-subscribes when the broker cancels its consumer (queue deleted) and performs later jobs', async () => {
    const jobs = queue('cancel');
    await startWorker({ queues: [jobs] });
    await probe.deleteQueues([jobs]);
    await waitFor(() => probe.queueExists(jobs), 'the worker to declare the queue again');
    await waitFor(async () => {
      try {
        await RecordJob.set({ queue: jobs }).performLater('again');
        return true;
      } catch {
        return false;
      }
    }, 'an enqueue to succeed');
    await waitFor(() => performed('again'), 'the job after re-subscribing');
  });

  it('requeues a delivery whose dead-letter publish fails, instead of dropping it', async () => {
    const jobs = queue('no-dlq');
    const exchange = `${prefix}void`;
    const deadLetterQueue = queue('unroutable-dead');
    const topology = parseTopology([
      {
        file: 'void.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${deadLetterQueue}\nroutes:\n  queues:\n    ${deadLetterQueue}:\n      exchange: ${exchange}\n      routingKey: nowhere\n`,
      },
    ]);
    const worker = await startWorker({ queues: [jobs], topology, deadLetterQueue });
    const requeued = collect(worker, 'job:requeued');
    await FailingJob.set({ queue: jobs }).performLater('nowhere to go');
    await waitFor(() => requeued.length >= 1, 'job:requeued');
    expect(requeued[0]?.error.message).toMatch(/unroutable/);
    await worker.stop();
    await waitFor(async () => (await probe.messageCount(jobs)) === 1, 'the job back in its queue');
    await probe.deleteExchanges([exchange]);
  });

  it('warns at start-up when a job timeout exceeds the queue consumer timeout', async () => {
    class SlowJob extends Job {
      static override jobName = 'SlowJob';
      static override timeout = 5_000;
      async perform(): Promise<void> {}
    }
    const jobs = queue('slow');
    const topology = parseTopology([{ file: 'slow.yaml', text: `queues:\n  - name: ${jobs}\n    consumerTimeout: 1000\n` }]);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    await startWorker({ queues: [jobs], topology, registry: new JobRegistry().register(SlowJob), logger });
    expect(lines.join('')).toContain(`job SlowJob has a timeout of 5000 ms, longer than the consumer timeout of queue \\"${jobs}\\"`);
  });
});
