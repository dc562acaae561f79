// `warren stats` and `warren workers` on the real broker: the queues (ready, running,
// consumers, latency), delayed jobs per due window on a test ladder, dead letters per reason
// and the live workers; --json, --watch; cancel, quiet and stop from the command line.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DelayLadder, Job, JobCancelledError, JobRegistry, Worker, type WorkerOptions } from '../../../src/index.js';
import type { StatsSnapshot } from '../../../src/rabbitmq.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';
import { killAllChildren, runCli, spawnCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');

/** Reports progress, then waits until its signal aborts (or 30 s), and says how it ended. */
class StatsLongJob extends Job {
  static override jobName = 'StatsLongJob';
  static ended: Array<{ label: string; reason: unknown }> = [];
  async perform(label: string): Promise<void> {
    this.progress({ done: 3, of: 10 });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 30_000);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    StatsLongJob.ended.push({ label, reason: this.signal.reason });
  }
}

class StatsFailingJob extends Job {
  static override jobName = 'StatsFailingJob';
  perform(): void {
    throw new Error('always fails');
  }
}

class StatsQuickJob extends Job {
  static override jobName = 'StatsQuickJob';
  perform(): void {}
}

const registry = new JobRegistry().register(StatsLongJob, StatsFailingJob, StatsQuickJob);
/** 2^22 ms is 70 minutes: a 10-minute delay fits, with fewer declarations than the default 36 levels. */
const LEVELS = 23;

describe('warren stats and warren workers', { timeout: 90_000 }, () => {
  let prefix: string;
  let probe: BrokerProbe;
  let ladder: DelayLadder;
  let producer: AmqpAdapter;
  let deadLetterQueue: string;
  const workers: Worker[] = [];
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    deadLetterQueue = queue('dead');
    ladder = new DelayLadder({ prefix: `${prefix}delay`, levels: LEVELS, deadLetterQueue });
    producer = new AmqpAdapter({ url, delays: ladder });
    configure({ adapter: producer });
    StatsLongJob.ended = [];
  });

  afterEach(async () => {
    await killAllChildren();
    for (const worker of workers) worker.abortNow();
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await producer.close();
    resetConfiguration();
    await probe.deleteQueues([...queues.splice(0), ...ladder.queueNames()]);
    await probe.deleteExchanges(ladder.exchangeNames());
    await probe.close();
  });

  function queue(name: string): string {
    const full = `${prefix}${name}`;
    queues.push(full);
    return full;
  }

  async function startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> {
    const worker = new Worker({ url, registry, handleSignals: false, delays: ladder, deadLetterQueue, shutdownTimeoutMs: 5_000, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  const common = (): string[] => ['--url', url, '--delay-prefix', `${prefix}delay`, '--dead-letter-queue', deadLetterQueue];

  it('reports queues, delayed jobs per due window, dead letters per reason and the live workers, as JSON and as text', async () => {
    const busy = queue('busy');
    const waiting = queue('waiting');
    const worker = await startWorker({ queues: [busy], concurrency: 2 });
    const long = await StatsLongJob.set({ queue: busy }).performLater('long');
    await StatsFailingJob.set({ queue: busy }).performLater();
    await waitFor(async () => (await probe.messageCount(deadLetterQueue)) === 1, 'the failing job to be dead-lettered');
    for (let i = 0; i < 3; i += 1) await StatsQuickJob.set({ queue: waiting }).performLater();
    await StatsQuickJob.set({ queue: waiting, wait: 10 * 60_000 }).performLater();
    await waitFor(() => worker.inFlightCount === 1, 'the long job to run');

    const json = await runCli(['stats', '--json', '--queue', busy, '--queue', waiting, ...common()]);
    expect(json.code, json.stderr).toBe(0);
    const snapshot = JSON.parse(json.stdout) as StatsSnapshot;
    const byName = new Map(snapshot.queues.map((stats) => [stats.name, stats]));
    expect(byName.get(waiting)).toMatchObject({ ready: 3, consumers: 0 });
    expect(byName.get(waiting)?.unacked).toBeUndefined(); // no live worker consumes it
    expect(byName.get(waiting)?.latencyMs).toBeUndefined(); // jobs wait and no worker reports on the queue
    expect(byName.get(busy)).toMatchObject({ ready: 0, consumers: 1, unacked: 1, latencyMs: 0 });
    expect(byName.get(busy)?.enqueuedPerSecond).toBeGreaterThanOrEqual(0); // two readings a second apart
    expect(snapshot.delayed).toEqual([{ window: '< 1 hour', upToMs: 3_600_000, messages: 1 }]);
    expect(snapshot.deadLetters).toEqual({ total: 1, byReason: { failed: 1 }, scanned: 1 });
    const reported = snapshot.workers.find((seen) => seen.id === worker.id);
    expect(reported).toMatchObject({ queues: [busy], concurrency: 2, busy: 1, state: 'running' });
    expect(reported?.running[0]).toMatchObject({ jobClass: 'StatsLongJob', jobId: long.jobId, queue: busy, progress: { done: 3, of: 10 } });
    expect(await probe.messageCount(deadLetterQueue)).toBe(1); // counting reasons put the dead letter back

    const text = await runCli(['stats', '--queue', busy, '--queue', waiting, ...common()]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/QUEUE\s+READY\s+RUNNING\s+CONSUMERS\s+IN\/S\s+ACKED\/S\s+LATENCY/);
    expect(text.stdout).toMatch(new RegExp(`${waiting}\\s+3\\s+\\?\\s+0\\s`));
    expect(text.stdout).toContain('delayed jobs and retries (the delay ladder): 1  (< 1 hour: 1)');
    expect(text.stdout).toContain(`dead letters (${deadLetterQueue}): 1  (failed: 1)`);
    expect(text.stdout).toContain(`${worker.id}  running  queues=${busy}  busy 1/2`);
    expect(text.stdout).toContain(`StatsLongJob ${long.jobId}  queue=${busy}`);
    expect(text.stdout).toContain('progress {"done":3,"of":10}');
    expect(text.stdout).not.toContain('guest:guest');
  });

  it('--watch prints a snapshot every interval until SIGINT', async () => {
    const idle = queue('idle');
    await StatsQuickJob.set({ queue: idle }).performLater();
    const watching = spawnCli(['stats', '--json', '--watch', '1', '--queue', idle, ...common()]);
    await waitFor(() => watching.stdout.join('').split('\n').filter(Boolean).length >= 2, 'two snapshots', 30_000);
    watching.kill('SIGINT');
    expect((await watching.exited).code).toBe(0);
    const snapshots = watching.stdout
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StatsSnapshot);
    for (const snapshot of snapshots) expect(snapshot.queues).toEqual([expect.objectContaining({ name: idle, ready: 1, consumers: 0 })]);
  });

  it('warren workers lists the workers, cancels a running job, quiets and stops a worker; an unknown id is an error', async () => {
    const jobs = queue('steered');
    const worker = await startWorker({ queues: [jobs] });
    const long = await StatsLongJob.set({ queue: jobs }).performLater('to cancel');
    await waitFor(() => worker.inFlightCount === 1, 'the long job to run');

    const listed = await runCli(['workers', 'list', '--json', '--url', url]);
    expect(listed.code, listed.stderr).toBe(0);
    const mine = (JSON.parse(listed.stdout) as StatsSnapshot['workers']).find((seen) => seen.id === worker.id);
    expect(mine?.running.map((job) => job.jobId)).toEqual([long.jobId]);

    const cancelled = await runCli(['workers', 'cancel', long.jobId, '--url', url]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`cancel of job ${long.jobId} sent`);
    await waitFor(() => StatsLongJob.ended.length === 1, 'the cancelled job to end');
    expect(StatsLongJob.ended[0]?.reason).toBeInstanceOf(JobCancelledError);

    const unknown = await runCli(['workers', 'quiet', 'no-such-worker', '--url', url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no live worker has the id "no-such-worker"');
    expect(worker.state).toBe('running');

    const quieted = await runCli(['workers', 'quiet', worker.id, '--url', url]);
    expect(quieted.code, quieted.stderr).toBe(0);
    expect(quieted.stdout).toContain(`quiet sent to ${worker.id}`);
    await waitFor(() => worker.state === 'quiet', 'the worker to be quiet');

    const stopped = new Promise<void>((resolve) => worker.events.once('worker:stopped', () => resolve()));
    const stopping = await runCli(['workers', 'stop', worker.id, '--url', url]);
    expect(stopping.code, stopping.stderr).toBe(0);
    await stopped;
    expect(worker.state).toBe('stopped');
  });
});
