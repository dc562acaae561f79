import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, performAllLater } from '../../src/index.js';
import { BlockingJob } from '../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { killAllChildren, spawnFixtureWorker, type ChildWorker } from '../support/processes.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');

describe('worker processes', { timeout: 120_000 }, () => {
  let prefix: string;
  let probe: BrokerProbe;
  let producer: AmqpAdapter;
  let queue: string;
  let deadQueue: string;

  beforeEach(async () => {
    prefix = uniquePrefix();
    queue = `${prefix}jobs`;
    deadQueue = `${prefix}dead`;
    probe = await BrokerProbe.open(url);
    producer = new AmqpAdapter({ url });
    configure({ adapter: producer });
  });

  afterEach(async () => {
    await killAllChildren();
    await producer.close();
    resetConfiguration();
    await probe.deleteQueues([queue, deadQueue]);
    await probe.close();
  });

  function worker(concurrency = 1, extra: Record<string, string> = {}): ChildWorker {
    return spawnFixtureWorker({
      AMQP_URL: url,
      WARREN_FIXTURE_QUEUES: queue,
      WARREN_FIXTURE_CONCURRENCY: String(concurrency),
      WARREN_FIXTURE_DEAD_QUEUE: deadQueue,
      ...extra,
    });
  }

  it('performs again a job whose worker was killed with SIGKILL mid-perform (acks only after perform)', async () => {
    const first = worker();
    await first.waitUntilReady();
    const job = await BlockingJob.set({ queue }).performLater('killed', 2_000);
    await waitFor(() => first.reports.some((r) => r.jobId === job.jobId && r.event === 'started'), 'the first worker to start the job');
    first.kill('SIGKILL');
    await first.exited;
    expect(first.reports.some((r) => r.event === 'performed')).toBe(false);

    const second = worker();
    await second.waitUntilReady();
    await waitFor(() => second.reports.some((r) => r.jobId === job.jobId && r.event === 'performed'), 'the second worker to perform the job');
    await waitFor(async () => (await probe.messageCount(queue)) === 0, 'an empty queue');
  });

  it('shares one queue between two worker processes, each job performed exactly once', async () => {
    const workers = [worker(2), worker(2)];
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const jobs = Array.from({ length: 40 }, (_, i) => BlockingJob.set({ queue }).build(`shared-${i}`, 50));
    expect(await performAllLater(jobs)).toBe(40);
    const performed = () => workers.flatMap((w) => w.reports.filter((r) => r.event === 'performed'));
    await waitFor(() => performed().length >= 40, 'forty jobs performed', 60_000);
    await waitFor(async () => (await probe.messageCount(queue)) === 0, 'an empty queue');

    const ids = performed().map((r) => r.jobId);
    expect(new Set(ids).size).toBe(40);
    expect(ids.length).toBe(40);
    expect(new Set(jobs.map((job) => job.jobId))).toEqual(new Set(ids));
    for (const w of workers) expect(w.reports.filter((r) => r.event === 'performed').length).toBeGreaterThan(0);
  });

  it('on SIGTERM finishes the in-flight job, acks it and exits 0', async () => {
    const child = worker(1, { WARREN_FIXTURE_SHUTDOWN_MS: '20000' });
    await child.waitUntilReady();
    const label = `term-${randomUUID()}`;
    await BlockingJob.set({ queue }).performLater(label, 1_000);
    await waitFor(() => child.reports.some((r) => r.label === label && r.event === 'started'), 'the job to start');
    child.kill('SIGTERM');
    const { code } = await child.exited;
    expect(code).toBe(0);
    expect(child.reports.some((r) => r.label === label && r.event === 'performed')).toBe(true);
    expect(await probe.messageCount(queue)).toBe(0);
  });
});
