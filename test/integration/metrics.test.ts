// Prometheus metrics of a real Worker and AmqpAdapter on the broker, scraped over HTTP as
// Prometheus would, and of the `warren worker --metrics-port` process.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Job, JobRegistry, type MetricsServer, WarrenMetrics, Worker } from '../../src/index.js';
import { FailingJob, FlakyJob, RecordJob } from '../fixtures/jobs.js';
import { useBrokerScratch } from '../support/broker-scratch.js';
import { killAllChildren, spawnCli } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

class NotWanted extends Error {
  override name = 'NotWanted';
}

/** Fails with an error its discardOn rule drops: discarded, not dead-lettered. */
class MetricsDiscardJob extends Job {
  static override jobName = 'MetricsDiscardJob';
  static {
    this.discardOn(NotWanted);
  }
  async perform(): Promise<void> {
    throw new NotWanted('no longer wanted');
  }
}

/** Runs until the test releases it: a job certainly in flight while the test scrapes. */
let release: () => void = () => {};
class MetricsLatchJob extends Job {
  static override jobName = 'MetricsLatchJob';
  async perform(): Promise<void> {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
  }
}

const registry = new JobRegistry().register(RecordJob, FlakyJob, FailingJob, MetricsDiscardJob, MetricsLatchJob);

/** The value of the sample line `series` (name and labels as prom-client writes them), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(server: MetricsServer): Promise<string> {
  const response = await fetch(server.url);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics of a worker and an adapter on the broker', () => {
  const scratch = useBrokerScratch(url);
  const workers: Worker[] = [];
  const servers: MetricsServer[] = [];

  afterEach(async () => {
    release();
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  function queue(name: string): string {
    const full = `${scratch.prefix}${name}`;
    scratch.queues.push(full);
    return full;
  }

  /** A producer adapter and a worker on `jobs`, both observed, and the endpoint serving them. */
  async function observedWorker(jobs: string): Promise<{ worker: Worker; server: MetricsServer }> {
    const producer = scratch.adopt(new AmqpAdapter({ url }));
    configure({ adapter: producer });
    const metrics = new WarrenMetrics();
    metrics.observeAdapter(producer);
    const worker = new Worker({ url, registry, queues: [jobs], handleSignals: false, deadLetterQueue: queue('dead'), concurrency: 4 });
    workers.push(worker);
    metrics.observeWorker(worker);
    const server = await metrics.serve({ port: 0 });
    servers.push(server);
    await worker.start();
    return { worker, server };
  }

  it('counts jobs performed, retried then performed, dead-lettered and discarded, with their durations and latencies', async () => {
    const jobs = queue('jobs');
    const { server } = await observedWorker(jobs);
    const labels = (jobClass: string): string => `job_class="${jobClass}",queue="${jobs}"`;
    for (const label of ['a', 'b', 'c']) await RecordJob.set({ queue: jobs }).performLater(label);
    await FlakyJob.set({ queue: jobs }).performLater('flaky', 1);
    await FailingJob.set({ queue: jobs }).performLater('doomed');
    await MetricsDiscardJob.set({ queue: jobs }).performLater();

    let text = '';
    await waitFor(async () => {
      text = await scrape(server);
      return (
        sample(text, `warren_jobs_performed_total{${labels('RecordJob')}}`) === 3 &&
        sample(text, `warren_jobs_performed_total{${labels('FlakyJob')}}`) === 1 &&
        sample(text, `warren_jobs_dead_lettered_total{${labels('FailingJob')},reason="failed"}`) === 1 &&
        sample(text, `warren_jobs_discarded_total{${labels('MetricsDiscardJob')}}`) === 1
      );
    }, 'every job to be counted');
    expect(sample(text, `warren_jobs_enqueued_total{${labels('RecordJob')}}`)).toBe(3);
    // The retry is published by the worker's own adapter, which these metrics do not observe.
    expect(sample(text, `warren_jobs_enqueued_total{${labels('FlakyJob')}}`)).toBe(1);
    expect(sample(text, `warren_jobs_retried_total{${labels('FlakyJob')}}`)).toBe(1);
    expect(sample(text, `warren_jobs_failed_total{${labels('FailingJob')},reason="failed"}`)).toBe(1);
    expect(sample(text, `warren_jobs_performed_total{${labels('FailingJob')}}`)).toBe(0);
    expect(sample(text, `warren_jobs_performed_total{${labels('MetricsDiscardJob')}}`)).toBe(0);
    // Durations: every completion and retry; a dead-lettered failure has none.
    expect(sample(text, `warren_job_duration_seconds_count{${labels('RecordJob')}}`)).toBe(3);
    expect(sample(text, `warren_job_duration_seconds_bucket{${labels('FlakyJob')},le="+Inf"}`)).toBe(2);
    expect(sample(text, `warren_job_duration_seconds_count{${labels('MetricsDiscardJob')}}`)).toBe(1);
    expect(sample(text, `warren_job_duration_seconds_count{${labels('FailingJob')}}`)).toBeUndefined();
    // Latency: every execution that started, retries included.
    expect(sample(text, `warren_job_queue_latency_seconds_count{${labels('RecordJob')}}`)).toBe(3);
    expect(sample(text, `warren_job_queue_latency_seconds_count{${labels('FlakyJob')}}`)).toBe(2);
    expect(sample(text, `warren_job_queue_latency_seconds_count{${labels('FailingJob')}}`)).toBe(1);
    expect(sample(text, `warren_job_queue_latency_seconds_sum{${labels('RecordJob')}}`)).toBeGreaterThanOrEqual(0);
    // Consuming, and publishing (the producer, and the worker's adapter for the retry and the dead letter).
    expect(sample(text, 'warren_connection_up{role="consume"}')).toBe(1);
    expect(sample(text, 'warren_connection_up{role="publish"}')).toBe(1);
    expect(sample(text, 'warren_jobs_in_flight')).toBe(0);
    expect(await scratch.probe.messageCount(`${scratch.prefix}dead`)).toBe(1);
  });

  it('shows the jobs in flight while they run, and the consume connection down once the worker stopped', async () => {
    const jobs = queue('latched');
    const { worker, server } = await observedWorker(jobs);
    await MetricsLatchJob.set({ queue: jobs }).performLater();
    await waitFor(async () => sample(await scrape(server), 'warren_jobs_in_flight') === 1, 'the job to be in flight');
    release();
    await waitFor(async () => sample(await scrape(server), `warren_jobs_performed_total{job_class="MetricsLatchJob",queue="${jobs}"}`) === 1, 'the job to end');
    const text = await scrape(server);
    expect(sample(text, 'warren_jobs_in_flight')).toBe(0);
    expect(sample(text, 'warren_connection_up{role="consume"}')).toBe(1);
    await worker.stop();
    expect(sample(await scrape(server), 'warren_connection_up{role="consume"}')).toBe(0);
  });
});

describe('warren worker --metrics-port', { timeout: 120_000 }, () => {
  const scratch = useBrokerScratch(url);
  const env = { AMQP_URL: url, WARREN_LOG_LEVEL: 'info', WARREN_LOG_FORMAT: 'json' };
  let taken: Server | undefined;

  afterAll(async () => {
    await killAllChildren();
    await new Promise((resolve) => (taken ? taken.close(resolve) : resolve(undefined)));
  });

  it("serves the worker process's metrics while it runs, and closes the endpoint when it stops", async () => {
    const jobs = `${scratch.prefix}cli-jobs`;
    const dead = `${scratch.prefix}cli-dead`;
    scratch.queues.push(jobs, dead);
    const worker = spawnCli(['worker', '--require', 'test/fixtures/jobs.ts', '--queue', jobs, '--dead-letter-queue', dead, '--metrics-port', '0'], env);
    await worker.waitForStderr('worker ready');
    const endpoint = /serving Prometheus metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(worker.stderr.join(''))?.[1];
    expect(endpoint).toBeDefined();
    const producer = scratch.adopt(new AmqpAdapter({ url }));
    configure({ adapter: producer });
    await RecordJob.set({ queue: jobs }).performLater('from the cli');
    await waitFor(() => worker.reports.some((r) => r.label === 'from the cli' && r.event === 'performed'), 'the CLI worker to perform the job', 30_000);
    let text = '';
    await waitFor(async () => {
      text = await (await fetch(endpoint as string)).text();
      return sample(text, `warren_jobs_performed_total{job_class="RecordJob",queue="${jobs}"}`) === 1;
    }, 'the performed job in the scrape');
    expect(sample(text, 'warren_connection_up{role="consume"}')).toBe(1);
    expect(sample(text, `warren_job_duration_seconds_count{job_class="RecordJob",queue="${jobs}"}`)).toBe(1);
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    await expect(fetch(endpoint as string)).rejects.toThrow();
  });

  it('exits with a failure, saying why, when the metrics port is taken', async () => {
    const server = createServer();
    taken = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const jobs = `${scratch.prefix}cli-taken`;
    const worker = spawnCli(['worker', '--require', 'test/fixtures/jobs.ts', '--queue', jobs, '--metrics-port', String(port)], env);
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.stderr.join('')).toContain(`cannot serve metrics on 127.0.0.1:${port}`);
    // It never started consuming: no queue was declared.
    expect(await scratch.probe.queueExists(jobs)).toBe(false);
  });
});
