// Heartbeats and control messages on the real broker: a WorkerMonitor sees a worker, its
// running jobs and their progress; cancel aborts a job's signal; quiet stops taking jobs;
// stop ends the worker; a worker with signing obeys only signed control messages.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, HandlerWorker, Job, JobCancelledError, JobRegistry, type Step, Worker, type WorkerOptions } from '../../../src/index.js';
import { workersText } from '../../../src/cli/stats-text.js';
import { WorkerMonitor } from '../../../src/rabbitmq.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');

/** Reports progress, then waits until its signal aborts (or 20 s), and says how it ended. */
class LongJob extends Job {
  static override jobName = 'PresenceLongJob';
  static ended: Array<{ label: string; reason: unknown }> = [];
  async perform(label: string): Promise<void> {
    this.progress({ step: 'waiting', label });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    LongJob.ended.push({ label, reason: this.signal.reason });
  }
}

/** A continuable job that stops in its second step at cursor 7 until its signal aborts (a cancel). */
class SteppedJob extends Job {
  static override jobName = 'PresenceSteppedJob';
  async perform(): Promise<void> {
    await this.step('download', () => {});
    await this.step('import', async (step: Step<number>) => {
      await step.set(7);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20_000);
        this.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()));
      });
    });
  }
}

class QuickJob extends Job {
  static override jobName = 'PresenceQuickJob';
  static performed: string[] = [];
  perform(label: string): void {
    QuickJob.performed.push(label);
  }
}

const registry = new JobRegistry().register(LongJob, QuickJob, SteppedJob);
const KEY = { keys: { ops: 'a-secret-of-at-least-16-bytes' } };

describe('worker presence', () => {
  let prefix: string;
  let probe: BrokerProbe;
  let producer: AmqpAdapter;
  const workers: Worker[] = [];
  const monitors: WorkerMonitor[] = [];
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    producer = new AmqpAdapter({ url });
    configure({ adapter: producer });
    LongJob.ended = [];
    QuickJob.performed = [];
  });

  afterEach(async () => {
    const stopping = workers.splice(0);
    for (const worker of stopping) worker.abortNow();
    await Promise.all(stopping.map((worker) => worker.stop()));
    await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
    await producer.close();
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  function queue(name: string): string {
    const full = `${prefix}${name}`;
    queues.push(full);
    return full;
  }

  async function startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> {
    const worker = new Worker({ url, registry, handleSignals: false, deadLetterQueue: queue('dead'), shutdownTimeoutMs: 5_000, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  async function monitor(options: Parameters<typeof WorkerMonitor.open>[0] = {}): Promise<WorkerMonitor> {
    const opened = await WorkerMonitor.open({ url, ...options });
    monitors.push(opened);
    return opened;
  }

  it('a monitor sees the worker, its running job and the job progress; a cancel aborts the job signal with JobCancelledError', async () => {
    const jobs = queue('jobs');
    const worker = await startWorker({ queues: [jobs], concurrency: 3 });
    const watcher = await monitor();
    const job = await LongJob.set({ queue: jobs }).performLater('long');
    await QuickJob.set({ queue: jobs }).performLater('quick');
    await waitFor(() => QuickJob.performed.length === 1, 'the quick job');

    let seen = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
    await waitFor(async () => {
      seen = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
      return seen?.running.length === 1;
    }, 'a heartbeat with the running job');
    expect(seen).toMatchObject({ pid: process.pid, queues: [jobs], concurrency: 3, busy: 1, state: 'running' });
    expect(seen!.running[0]).toMatchObject({
      jobClass: 'PresenceLongJob',
      jobId: job.jobId,
      queue: jobs,
      executions: 1,
      progress: { step: 'waiting', label: 'long' },
    });
    expect(seen!.queueStats[jobs]).toMatchObject({ performed: 1, failed: 0 });

    await watcher.cancel(job.jobId);
    await waitFor(() => LongJob.ended.length === 1, 'the cancelled job to end');
    expect(LongJob.ended[0]!.reason).toBeInstanceOf(JobCancelledError);
    await waitFor(async () => {
      seen = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
      return seen?.cancels[0]?.outcome === 'ended';
    }, 'the cancel outcome in a heartbeat');
    expect(seen!.cancels[0]).toMatchObject({ jobId: job.jobId, jobClass: 'PresenceLongJob' });
    expect(seen!.busy).toBe(0);
  });

  it("a continuable job's heartbeat says its step and cursor; warren workers shows them", async () => {
    const jobs = queue('stepped');
    const worker = await startWorker({ queues: [jobs] });
    const watcher = await monitor();
    const job = await SteppedJob.set({ queue: jobs }).performLater();
    let seen = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
    await waitFor(async () => {
      seen = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
      return seen?.running[0]?.step === "at 'import', cursor 7";
    }, 'a heartbeat with the step');
    expect(seen!.running[0]).toMatchObject({ jobId: job.jobId, step: "at 'import', cursor 7", resumptions: 0 });
    expect(workersText([seen!]).join('\n')).toContain("step at 'import', cursor 7");
    await watcher.cancel(job.jobId);
  });

  it('quiet stops taking jobs and lets the running one finish; stop ends the worker, and it drops out of the list', async () => {
    const jobs = queue('quiet');
    const worker = await startWorker({ queues: [jobs] });
    const watcher = await monitor();
    await LongJob.set({ queue: jobs }).performLater('running');
    await waitFor(() => worker.inFlightCount === 1, 'the long job to start');
    await watcher.quiet(worker.id);
    await waitFor(() => worker.state === 'quiet', 'quiet');
    await QuickJob.set({ queue: jobs }).performLater('after quiet');
    await waitFor(async () => (await probe.messageCount(jobs)) === 1, 'the new job to wait in its queue');
    expect(QuickJob.performed).toEqual([]);
    const listed = (await watcher.workers({ refresh: true })).find((w) => w.id === worker.id);
    expect(listed?.state).toBe('quiet');

    const stopped = new Promise<void>((resolve) => worker.events.once('worker:stopped', () => resolve()));
    await watcher.stop(worker.id);
    await waitFor(() => worker.state === 'stopping' || worker.state === 'stopped', 'stopping');
    worker.abortNow(); // the long job would otherwise hold the stop for its whole wait
    await stopped;
    expect(worker.state).toBe('stopped');
    expect((await watcher.workers()).some((w) => w.id === worker.id)).toBe(false);
  });

  it('a worker with signing obeys only control messages signed with its key', async () => {
    const jobs = queue('signed');
    const worker = await startWorker({ queues: [jobs], signing: KEY });
    const unsigned = await monitor();
    const wrongKey = await monitor({ signing: { keys: { ops: 'another-secret-of-16-bytes!' } } });
    const signed = await monitor({ signing: KEY });
    await unsigned.quiet(worker.id);
    // Never to 'all' here: workers of other test files run beside this one.
    await wrongKey.quiet(worker.id);
    // Control messages are handled in order on one channel: once a ping answers, both quiets were read.
    await waitFor(async () => (await unsigned.workers({ refresh: true })).some((w) => w.id === worker.id), 'a heartbeat');
    expect(worker.state).toBe('running');
    await signed.quiet(worker.id);
    await waitFor(() => worker.state === 'quiet', 'the signed quiet to be obeyed');
  });

  it('a HandlerWorker reports itself too: its queues and the handler jobs it performed', async () => {
    const jobs = queue('handlers');
    const done: string[] = [];
    const handlers = new HandlerWorker({
      url,
      queues: [jobs],
      handleSignals: false,
      deadLetterQueue: queue('handlers-dead'),
      presence: { heartbeatIntervalMs: 500 },
    });
    handlers.register('presence_send_email', async (args: { to: string }) => {
      done.push(args.to);
    });
    await handlers.start();
    try {
      const watcher = await monitor();
      await handlers.perform({ handler: 'presence_send_email', args: { to: 'ada@example.com' }, queue: jobs });
      await waitFor(() => done.length === 1, 'the handler job');
      const id = handlers.amqpWorker?.id;
      await waitFor(async () => {
        const seen = (await watcher.workers({ refresh: true })).find((w) => w.id === id);
        return seen?.queueStats[jobs]?.performed === 1;
      }, 'a heartbeat counting the handler job');
      expect((await watcher.workers()).find((w) => w.id === id)?.queues).toEqual([jobs]);
    } finally {
      await handlers.stop();
    }
  });

  it('presence: false sends no heartbeat and ignores control messages', async () => {
    const jobs = queue('silent');
    const worker = await startWorker({ queues: [jobs], presence: false });
    const watcher = await monitor();
    await watcher.quiet(worker.id); // it has no control queue: the message goes nowhere
    const listed = await watcher.workers({ refresh: true });
    expect(listed.some((w) => w.id === worker.id)).toBe(false);
    expect(worker.state).toBe('running');
  });

  it('malformed heartbeats and control messages are ignored', async () => {
    const jobs = queue('junk');
    const worker = await startWorker({ queues: [jobs] });
    const watcher = await monitor();
    await probe.publishTo('warren.workers', '', Buffer.from('{"id": 1}'));
    await probe.publishTo('warren.control', worker.id, Buffer.from('not json'));
    await probe.publishTo(
      'warren.control',
      worker.id,
      Buffer.from(JSON.stringify({ command: 'quiet', to: worker.id, sentAt: '2001-01-01T00:00:00Z', id: 'old' })),
    );
    // A (captured) message for another worker, routed to this one: its body names the other.
    const elsewhere = { command: 'quiet', to: `${worker.id.split(':').slice(0, 2).join(':')}:ffff`, sentAt: new Date().toISOString(), id: 'elsewhere' };
    await probe.publishTo('warren.control', worker.id, Buffer.from(JSON.stringify(elsewhere)));
    // A forged heartbeat claiming the id `all`, and one nested deeper than any progress may be.
    const forged = {
      id: 'all',
      host: 'h',
      pid: 1,
      version: '0',
      queues: [],
      concurrency: 1,
      busy: 0,
      running: [],
      performed: 0,
      failed: 0,
      startedAt: '',
      sentAt: '',
      state: 'running',
      cancels: [],
    };
    await probe.publishTo('warren.workers', '', Buffer.from(JSON.stringify(forged)));
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    const nested = JSON.stringify({
      ...forged,
      id: 'h:1:ab',
      running: [{ jobClass: 'X', jobId: 'y', queue: 'q', executions: 1, startedAt: '', progress: { deep: 0 } }],
    });
    await probe.publishTo('warren.workers', '', Buffer.from(nested.replace('"deep":0', `"deep":${deep}`)));
    const listed = await watcher.workers({ refresh: true });
    expect(listed.filter((w) => w.id === worker.id)).toHaveLength(1);
    expect(listed.some((w) => w.id === 'all' || w.id === 'h:1:ab')).toBe(false);
    expect(worker.state).toBe('running');
    await QuickJob.set({ queue: jobs }).performLater('still working');
    await waitFor(() => QuickJob.performed.length === 1, 'a job after junk');
  });
});
