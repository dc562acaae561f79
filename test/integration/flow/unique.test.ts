// Unique jobs on the real broker: producers on five connections racing to enqueue the same key get
// exactly one job in; a worker in another process frees the lock when the job is done; a worker
// SIGKILLed mid-job leaves the lock held (the job is still pending) until the job is performed
// by another worker, then it is free and no lock message is left; a lock nobody frees expires.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DuplicateJobError } from '../../../src/index.js';
import { debounceRecordOf, uniqueLockOf, uniqueOf } from '../../../src/job/unique-job.js';
import { internalsOf } from '../../../src/job/internal-state.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { DebouncedLedgerJob, UniqueLedgerJob } from '../../fixtures/fault/jobs.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
const locks: string[] = [];
const extraAdapters: AmqpAdapter[] = [];

afterEach(async () => {
  await Promise.all(extraAdapters.splice(0).map((adapter) => adapter.close()));
  await scenario?.probe.deleteQueues(locks.splice(0));
  await scenario?.cleanup();
  scenario = undefined;
  resetConfiguration();
});

/** Enqueues `job` through `adapter` (as if it were its class's adapter). */
function sendThrough(adapter: AmqpAdapter, job: UniqueLedgerJob): Promise<boolean> {
  internalsOf(job).deliveringAdapter = adapter;
  return job.enqueue();
}

/** The lock queue of UniqueLedgerJob for `label` (deleted after the test). */
async function lockOf(label: string): Promise<string> {
  const lock = await uniqueLockOf(UniqueLedgerJob, uniqueOf(UniqueLedgerJob)!, [label]);
  locks.push(lock);
  return lock;
}

it('five producers on their own connections race to enqueue one key: exactly one job gets in', { timeout: 60_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('race');
  const label = `race-${scenario.prefix}`;
  const lock = await lockOf(label);
  const producers = Array.from({ length: 5 }, () => new AmqpAdapter({ url }));
  extraAdapters.push(...producers);
  // Three attempts per connection, all at once (each job enqueued through its own adapter).
  const jobs = producers.flatMap((adapter) => [0, 1, 2].map(() => ({ adapter, job: UniqueLedgerJob.set({ queue }).build(label, 0) })));
  await Promise.all(jobs.map(({ adapter, job }) => sendThrough(adapter, job)));
  const accepted = jobs.filter(({ job }) => job.successfullyEnqueued);
  expect(accepted).toHaveLength(1);
  expect(jobs.filter(({ job }) => job.enqueueError instanceof DuplicateJobError)).toHaveLength(14);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 1, 'exactly one job in the queue', 10_000);
  await sleep(300);
  expect(await scenario.probe.messageCount(queue)).toBe(1);
  expect(await scenario.probe.messageCount(lock)).toBe(1);
});

it('a worker process frees the lock once the job is performed; one SIGKILLed mid-job leaves it held until another worker performs the job', {
  timeout: 120_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('unique');
  configure({ adapter: scenario.producer() });
  const label = `killed-${scenario.prefix}`;
  const lock = await lockOf(label);
  const victim = scenario.spawnWorker([queue]);
  await victim.waitUntilReady();

  const first = await UniqueLedgerJob.set({ queue }).performLater(label, 3_000);
  expect(first.successfullyEnqueued).toBe(true);
  await waitFor(() => scenario!.ledger().some((entry) => entry.event === 'started' && entry.pid === victim.pid), 'the job to start', 30_000);
  expect((await UniqueLedgerJob.set({ queue }).performLater(label, 0)).successfullyEnqueued, 'refused while it runs').toBe(false);
  victim.kill('SIGKILL');
  await victim.exited;
  // The job is pending again (redelivered): still refused.
  expect((await UniqueLedgerJob.set({ queue }).performLater(label, 0)).successfullyEnqueued).toBe(false);

  const survivor = scenario.spawnWorker([queue]);
  await survivor.waitUntilReady();
  await waitFor(
    () => scenario!.ledger().some((entry) => entry.event === 'performed' && entry.pid === survivor.pid),
    'the job performed by the other worker',
    60_000,
  );
  await waitFor(async () => (await scenario!.probe.messageCount(lock)) === 0, 'the lock freed by the worker that performed it', 10_000);
  const again = await UniqueLedgerJob.set({ queue }).performLater(label, 0);
  expect(again.successfullyEnqueued).toBe(true);
  await waitFor(() => scenario!.ledger().filter((entry) => entry.event === 'performed').length === 2, 'the second job');
  await waitFor(async () => (await scenario!.probe.messageCount(lock)) === 0, 'no lock left');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

it('a lock nobody frees (its job never ran) expires after its ttl', { timeout: 60_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('unconsumed');
  await scenario.probe.assertQueue(queue);
  configure({ adapter: scenario.producer() });
  const label = `ttl-${scenario.prefix}`;
  await lockOf(label);
  expect((await UniqueLedgerJob.set({ queue, unique: { ttl: 1_000 } }).performLater(label, 0)).successfullyEnqueued).toBe(true);
  expect((await UniqueLedgerJob.set({ queue }).performLater(label, 0)).successfullyEnqueued).toBe(false);
  await sleep(1_500);
  expect((await UniqueLedgerJob.set({ queue }).performLater(label, 0)).successfullyEnqueued).toBe(true);
});

it('debounce: of four jobs of a key enqueued within the window, a worker process performs only the last; the others end skipped', {
  timeout: 60_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('debounced');
  configure({ adapter: scenario.producer() });
  const key = `key-${scenario.prefix}`;
  const record = debounceRecordOf(await uniqueLockOf(DebouncedLedgerJob, uniqueOf(DebouncedLedgerJob)!, [key, 'v0']));
  locks.push(record);
  const worker = scenario.spawnWorker([queue]);
  await worker.waitUntilReady();
  for (let version = 1; version <= 4; version += 1) {
    expect((await DebouncedLedgerJob.set({ queue }).performLater(key, `v${version}`)).successfullyEnqueued).toBe(true);
  }
  await DebouncedLedgerJob.set({ queue }).performLater(`${key}-other`, 'other');
  locks.push(debounceRecordOf(await uniqueLockOf(DebouncedLedgerJob, uniqueOf(DebouncedLedgerJob)!, [`${key}-other`, 'other'])));
  await waitFor(() => scenario!.ledger().length >= 2, 'the last job of each key', 30_000);
  await sleep(1_000); // the skipped ones came due too (an older one due after the latest ran must not run)
  expect(
    scenario
      .ledger()
      .map((entry) => entry.label)
      .sort(),
  ).toEqual(['other', 'v4']);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'every job settled');
  // The record of the latest job stays until it expires, so older ones due later are still skipped.
  expect(await scenario.probe.messageCount(record)).toBe(1);
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
