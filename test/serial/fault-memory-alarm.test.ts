import { afterAll, expect, inject, it } from 'vitest';
import { configure, DuplicateJobError, EnqueueError, performAllLater, type WorkerEvents } from '../../src/index.js';
import { uniqueLockOf, uniqueOf } from '../../src/job/unique-job.js';
import { raiseMemoryAlarm, resourceAlarms } from '../fixtures/fault/broker-admin.js';
import { LedgerJob, RetriedOnceJob, UniqueLedgerJob } from '../fixtures/fault/jobs.js';
import { describeCount } from '../fixtures/fault/ledger.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let clearAlarm: (() => Promise<void>) | undefined;
let uniqueLock: string | undefined;

afterAll(async () => {
  await clearAlarm?.();
  if (uniqueLock) await scenario?.probe.deleteQueues([uniqueLock]).catch(() => {});
  await scenario?.cleanup();
  resetConfiguration();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a memory alarm: publishes time out with a clear error that tells the truth, consumers keep working, nothing confirmed is lost', {
  timeout: 180_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('alarm');
  configure({ adapter: scenario.producer({ publishTimeoutMs: 3_000 }) });
  const waiting = Array.from({ length: 20 }, (_, i) => LedgerJob.set({ queue }).build(`before-${i}`, 20));
  const retried = RetriedOnceJob.set({ queue }).build('retried during the alarm', 0);
  expect(await performAllLater([...waiting, retried])).toBe(21);
  const confirmed = [...waiting, retried].map((job) => job.jobId);

  clearAlarm = await raiseMemoryAlarm();
  // Publishing under the alarm: a burst (sent before the broker blocked the connection), then more.
  const burst = Array.from({ length: 3 }, (_, i) => LedgerJob.set({ queue }).build(`burst-${i}`, 0));
  await Promise.all(burst.map((job) => job.enqueue()));
  const later = Array.from({ length: 2 }, (_, i) => LedgerJob.set({ queue }).build(`later-${i}`, 0));
  for (const job of later) await job.enqueue();
  const refused = [...burst, ...later];
  for (const job of refused) {
    expect(job.successfullyEnqueued).toBe(false);
    expect(job.enqueueError).toBeInstanceOf(EnqueueError);
    expect(job.enqueueError!.message).toMatch(/timed out within 3000 ms: the broker has blocked publishing \(low on memory\)/);
  }

  // A unique job under the alarm: its lock's publish gets no answer, which is an EnqueueError within the
  // publish timeout (not a DuplicateJobError: nothing says the key is taken).
  const uniqueKey = `${scenario.prefix}unique`;
  uniqueLock = await uniqueLockOf(UniqueLedgerJob, uniqueOf(UniqueLedgerJob)!, [uniqueKey]);
  const startedAt = Date.now();
  const blockedUnique = UniqueLedgerJob.set({ queue }).build(uniqueKey, 0);
  await blockedUnique.enqueue().catch(() => {});
  expect(blockedUnique.successfullyEnqueued).toBe(false);
  expect(blockedUnique.enqueueError).toBeInstanceOf(EnqueueError);
  expect(blockedUnique.enqueueError).not.toBeInstanceOf(DuplicateJobError);
  expect(Date.now() - startedAt).toBeLessThan(30_000);

  // A worker started during the alarm consumes and acks (its consuming connection is not blocked).
  // The retry it must publish cannot go out: the delivery goes back to the queue, not lost.
  const worker = await scenario.startWorker({
    queues: [queue],
    concurrency: 5,
    adapter: scenario.producer({ publishTimeoutMs: 2_000 }),
    deadLetterRetryDelayMs: 500,
  });
  const requeued: Array<WorkerEvents['job:requeued']> = [];
  worker.events.on('job:requeued', (event) => requeued.push(event));
  const waitingIds = waiting.map((job) => job.jobId);
  await waitFor(() => scenario!.count(waitingIds).lost.length === 0, 'the waiting jobs to be performed during the alarm', 60_000);
  await waitFor(() => requeued.length > 0, 'the retry publish to fail and its delivery to go back to the queue', 30_000);
  const performedDuringAlarm = scenario.count(waitingIds).performed;
  expect(await resourceAlarms()).toContain('memory');

  await clearAlarm();
  clearAlarm = undefined;
  // The lock publish that got no answer went through once the alarm cleared; it is taken off again
  // (DEFAULTS.flow.uniqueOrphanReleaseMs), so the key is free: no lock held for a job never enqueued.
  await waitFor(
    async () => (await UniqueLedgerJob.set({ queue }).build(uniqueKey, 0).enqueue()) === true,
    'the unique key to be free again after the alarm',
    90_000,
    1_000,
  );
  const count = await scenario.waitUntilPerformed(confirmed, 60_000);
  // What the errors claimed must be true: a job reported "not enqueued" never runs.
  await sleep(3_000);
  const performedIds = new Set(
    scenario
      .ledger()
      .filter((entry) => entry.event === 'performed')
      .map((entry) => entry.jobId),
  );
  const claims = refused.map((job) => ({
    job,
    notEnqueued: /the job was not enqueued/.test(job.enqueueError!.message),
    ran: performedIds.has(job.jobId),
  }));
  console.info(
    `${describeCount('memory alarm', count)}; ${performedDuringAlarm} performed during the alarm, ${refused.length} publishes refused ` +
      `(${claims.filter((claim) => claim.notEnqueued).length} said "not enqueued", ${claims.filter((claim) => claim.ran).length} ran after the alarm cleared), ` +
      `${requeued.length} retry publishes requeued`,
  );
  expect(count.lost).toEqual([]);
  expect(performedDuringAlarm).toBe(waiting.length);
  expect(claims.filter((claim) => claim.notEnqueued && claim.ran).map((claim) => claim.job.enqueueError!.message)).toEqual([]);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
