import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DeadLetterQueue, type Worker, type WorkerOptions } from '../../../src/index.js';
import { envelopeFor } from '../../support/envelope.js';
import { runCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { collect, DelayFixture } from './delay-fixture.js';
import { DiscardingJob, fixBrokenJobs, OnceBrokenJob, recordedRuns, resetRuns, RetriedJob, TimedJob } from './delay-jobs.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');

describe('retries and dead letters', { timeout: 90_000 }, () => {
  let fixture: DelayFixture;
  let producer: AmqpAdapter;
  let deadLetters: DeadLetterQueue;

  beforeEach(async () => {
    fixture = await DelayFixture.open(url);
    producer = new AmqpAdapter({ url, delays: fixture.ladder });
    configure({ adapter: producer });
    deadLetters = await DeadLetterQueue.open({ url, queue: fixture.deadLetterQueue });
    resetRuns();
  });

  afterEach(async () => {
    await fixture.stopWorkers();
    await deadLetters.close();
    await producer.close();
    resetConfiguration();
    await fixture.cleanup();
  });

  const startWorker = (options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> => fixture.startWorker(options);

  const runsOf = (label: string) => recordedRuns().filter((run) => run.label === label);

  it('retries a failing job after its waits through the delay ladder, then dead-letters it with its reason after the last attempt', async () => {
    const queue = fixture.queue('retried');
    const worker = await startWorker({ queues: [queue] });
    const retries = collect(worker, 'job:retry');
    const dead = collect(worker, 'job:dead');
    const job = await RetriedJob.set({ queue }).performLater('doomed');
    await waitFor(() => dead.length === 1, 'the dead letter');

    expect(retries.map((retry) => retry.jobId)).toEqual([job.jobId, job.jobId]);
    const runs = runsOf('doomed');
    expect(runs.map((run) => run.executions)).toEqual([1, 2, 3]);
    // Each retry waited its 150 ms (a delayed job never runs early).
    for (let i = 1; i < runs.length; i += 1) expect(runs[i]!.at - runs[i - 1]!.at).toBeGreaterThanOrEqual(150);

    const [letter, ...others] = await deadLetters.list();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      jobId: job.jobId,
      jobClass: 'RetriedJob',
      reason: 'failed',
      errorClass: 'AlwaysFails',
      errorMessage: 'always fails: doomed',
      originalQueue: queue,
      executions: 3,
    });
    expect(Date.parse(letter!.deadAt!)).toBeGreaterThan(0);
    // What failed where, and with what: the job's own frame first, its wire-form arguments.
    expect(letter!.arguments).toEqual(['doomed']);
    expect(letter!.errorBacktrace?.[0]).toMatch(/^at RetriedJob\.perform .*delay-jobs\.ts:\d+:\d+\)$/);
    expect(letter!.errorBacktrace!.length).toBeLessThanOrEqual(20);
    const [peek] = await deadLetters.list();
    expect(peek).toBeDefined();

    // Retried from the dead-letter queue, it fails once more and dies again counting right (executions kept).
    expect((await deadLetters.retry(job.jobId)).retried).toEqual([job.jobId]);
    await waitFor(() => dead.length === 2, 'the second dead letter');
    const [again, ...more] = await deadLetters.list();
    expect(more).toEqual([]);
    expect(again).toMatchObject({ jobId: job.jobId, reason: 'failed', executions: 3 });

    const raw = await fixture.probe.get(fixture.deadLetterQueue);
    expect(raw && Object.keys(raw.properties.headers ?? {}).filter((name) => name.startsWith('x-death') || name === 'CC')).toEqual([]);
  });

  it('a job that discards its errors (discardOn) is not dead-lettered', async () => {
    const queue = fixture.queue('discarding');
    const worker = await startWorker({ queues: [queue] });
    const completed = collect(worker, 'job:complete');
    await DiscardingJob.set({ queue }).performLater('dropped');
    await waitFor(() => completed.length === 1, 'the discarded job');
    expect(completed[0]?.outcome).toBe('discarded');
    expect(await deadLetters.count()).toBe(0);
  });

  it('a delayed job whose queue is gone when it falls due is dead-lettered as undeliverable, not dropped', async () => {
    const other = fixture.queue('other');
    const gone = fixture.queue('gone');
    const worker = await startWorker({ queues: [other] });
    const dead = collect(worker, 'job:dead');
    const job = await TimedJob.set({ queue: gone, wait: 1_500 }).performLater('nowhere', Date.now() + 1_500);
    // The producer declared the queue when it enqueued; an operator deletes it while the job waits.
    await fixture.probe.deleteQueues([gone]);
    await waitFor(() => dead.length === 1, 'the undeliverable dead letter');

    // The forwarder moves messages without decoding them: the event names the job by its message id.
    expect(dead[0]).toMatchObject({ reason: 'undeliverable', messageId: job.jobId, queue: gone });
    const [letter, ...others] = await deadLetters.list();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ jobId: job.jobId, jobClass: 'TimedJob', reason: 'undeliverable', originalQueue: gone });
    expect(await fixture.waitingInLadder()).toBe(0);
    expect(await fixture.probe.queueExists(gone)).toBe(false);
  });

  it('lists dead letters without removing them, retries one by job id as it was last delivered (same executions), retries the rest, and purges', async () => {
    const first = fixture.queue('first');
    const second = fixture.queue('second');
    const worker = await startWorker({ queues: [first, second] });
    const dead = collect(worker, 'job:dead');
    const a = await OnceBrokenJob.set({ queue: first }).performLater('a');
    await OnceBrokenJob.set({ queue: second }).performLater('b');
    await OnceBrokenJob.set({ queue: second }).performLater('c');
    await producer.enqueue(envelopeFor(first, { job_class: 'NoSuchJob' }));
    await waitFor(() => dead.length === 4, 'four dead letters');

    expect((await deadLetters.list()).map((letter) => letter.reason).sort()).toEqual(['failed', 'failed', 'failed', 'unknown-job']);
    expect(await deadLetters.list({ limit: 2 })).toHaveLength(2);
    expect((await deadLetters.list({ queue: second })).map((letter) => letter.originalQueue)).toEqual([second, second]);
    expect(await deadLetters.count()).toBe(4);

    fixBrokenJobs();
    expect((await deadLetters.retry(a.jobId)).retried).toEqual([a.jobId]);
    await waitFor(() => runsOf('a').length === 2, 'job a again');
    // The body goes back byte for byte: the failed execution is replayed, not counted twice.
    expect(runsOf('a').map((run) => run.executions)).toEqual([1, 1]);

    const report = await deadLetters.retryAll({ queue: second });
    expect(report.retried).toHaveLength(2);
    await waitFor(() => runsOf('b').length === 2 && runsOf('c').length === 2, 'jobs b and c again');
    expect(await deadLetters.count()).toBe(1);
    expect(await deadLetters.purge()).toBe(1);
    expect(await deadLetters.count()).toBe(0);
  });

  it('warren dead list, retry --all and purge work from the command line', async () => {
    const queue = fixture.queue('cli');
    const worker = await startWorker({ queues: [queue] });
    const dead = collect(worker, 'job:dead');
    await OnceBrokenJob.set({ queue }).performLater('x');
    await producer.enqueue(envelopeFor(queue, { job_class: 'NoSuchJob' }));
    await waitFor(() => dead.length === 2, 'two dead letters');
    const env = { AMQP_URL: url };
    const flags = ['--dead-letter-queue', fixture.deadLetterQueue];

    const readable = await runCli(['dead', 'list', ...flags], env);
    expect(readable.stdout).toMatch(/reason=failed .*\n {4}arguments: \["x"\]\n {4}at OnceBrokenJob\.perform/);
    expect(readable.stdout).toMatch(/reason=unknown-job .*\n {4}arguments: \["x"\]/);
    const listed = await runCli(['dead', 'list', '--json', ...flags], env);
    expect(listed.code).toBe(0);
    const letters = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; originalQueue: string });
    expect(letters.map((letter) => letter.reason).sort()).toEqual(['failed', 'unknown-job']);
    expect(await deadLetters.count()).toBe(2);

    fixBrokenJobs();
    const retried = await runCli(['dead', 'retry', '--all', ...flags], env);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('2 retried');
    expect(retried.stdout).not.toContain('could not be retried');
    await waitFor(() => runsOf('x').length === 2 && dead.length === 3, 'x performed, the unknown job dead again');

    // No terminal to ask on: purge refuses without --yes, and deletes nothing.
    const unasked = await runCli(['dead', 'purge', ...flags], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--yes');
    expect(await deadLetters.count()).toBe(1);

    const purged = await runCli(['dead', 'purge', '--yes', ...flags], env);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('1 dead letter(s) deleted');
    expect(await deadLetters.count()).toBe(0);

    const usage = await runCli(['dead', 'retry', ...flags], env);
    expect(usage.code).toBe(2);
  });
});
