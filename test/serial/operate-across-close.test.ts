// The operator's tools across a forced close of every connection (close_all_connections, as a
// broker restart or a network cut does): the worker's presence comes back (heartbeats, and its
// control queue: a cancel sent after the close still reaches the running job), a WorkerMonitor
// hears the worker again, and a StatsReader's next snapshot reconnects instead of failing forever.
import { afterAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Job, JobCancelledError, JobRegistry, Worker } from '../../src/index.js';
import { StatsReader, WorkerMonitor } from '../../src/rabbitmq.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { forceCloseConnections } from '../support/broker-control.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
const prefix = uniquePrefix();
const jobs = `${prefix}jobs`;
const dead = `${prefix}dead`;
const cleanup: Array<() => Promise<void>> = [];

class WaitingJob extends Job {
  static override jobName = 'OperateAcrossCloseJob';
  static ended: unknown[] = [];
  async perform(): Promise<void> {
    this.progress('waiting for a cancel');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 40_000);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    WaitingJob.ended.push(this.signal.reason);
  }
}
const registry = new JobRegistry().register(WaitingJob);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
  resetConfiguration();
  const probe = await BrokerProbe.open(url);
  await probe.deleteQueues([jobs, dead]);
  await probe.close();
});

it('after every connection is force-closed: heartbeats resume, a cancel still reaches the running job, the stats reader reconnects', {
  timeout: 90_000,
}, async () => {
  const producer = new AmqpAdapter({ url, reconnectMinMs: 100 });
  configure({ adapter: producer });
  cleanup.push(() => producer.close());
  const worker = new Worker({ url, registry, queues: [jobs], handleSignals: false, deadLetterQueue: dead, reconnectMinMs: 100, shutdownTimeoutMs: 1_000 });
  cleanup.push(async () => {
    worker.abortNow();
    await worker.stop();
  });
  await worker.start();
  const monitor = await WorkerMonitor.open({ url, reconnectMinMs: 100 });
  cleanup.push(() => monitor.close());
  const stats = await StatsReader.open({ url, monitor, queues: [jobs], deadLetterQueue: dead });
  cleanup.push(() => stats.close());
  expect((await stats.snapshot()).queues.map((queue) => queue.name)).toEqual([jobs]);

  await forceCloseConnections('warren operate-across-close test');
  // The job is published after the close: it runs on the worker's new connection.
  const job = await WaitingJob.set({ queue: jobs }).performLater();
  await waitFor(
    async () => {
      const seen = (await monitor.workers({ refresh: true })).find((candidate) => candidate.id === worker.id);
      return seen?.running.some((running) => running.jobId === job.jobId && running.progress === 'waiting for a cancel') === true;
    },
    'a heartbeat after the close with the running job',
    30_000,
  );

  await monitor.cancel(job.jobId, worker.id);
  await waitFor(() => WaitingJob.ended.length === 1, 'the cancel to reach the job through the new control queue', 30_000);
  expect(WaitingJob.ended[0]).toBeInstanceOf(JobCancelledError);

  // The reader's own connection was closed too: the first snapshot after may fail, a later one succeeds.
  let snapshot: Awaited<ReturnType<StatsReader['snapshot']>> | undefined;
  await waitFor(
    async () => {
      snapshot = await stats.snapshot().catch(() => undefined);
      return snapshot !== undefined;
    },
    'a stats snapshot after the close',
    30_000,
  );
  expect(snapshot?.queues).toEqual([expect.objectContaining({ name: jobs, consumers: 1 })]);
  expect(snapshot?.workers.some((seen) => seen.id === worker.id)).toBe(true);
});
