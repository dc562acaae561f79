// Per-key concurrency, unique jobs and rate limits across close_all_connections and a broker
// restart (issue 18), with two worker processes: no job is lost, no slot or lock leaks, a unique
// lock and an hourly rate window survive the restart, and once the workers are back the limits
// hold. What the faults allow, and the README says: a job whose connection dropped keeps running
// in its process while the broker redelivers it, so for that moment a key can run one more.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, inject, it } from 'vitest';
import { configure, DuplicateJobError, performAllLater } from '../../src/index.js';
import { RatePermits } from '../../src/amqp/rate-permits.js';
import { uniqueLockOf, uniqueOf } from '../../src/job/unique-job.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { closeAllConnections, ensureBrokerRunning, restartBrokerApp } from '../fixtures/fault/broker-admin.js';
import { HourlyLimitedJob, PerAccountJob, RateLimitedJob, UniqueLedgerJob } from '../fixtures/fault/jobs.js';
import { type LedgerEntry, peakInWindow } from '../fixtures/fault/ledger.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
const extraQueues: string[] = [];

afterAll(async () => {
  await ensureBrokerRunning();
  if (scenario) await scenario.reconnectProbe().catch(() => {});
  await scenario?.probe.deleteQueues(extraQueues).catch(() => {});
  await scenario?.cleanup();
  resetConfiguration();
});

/** The most runs of `prefix` at one moment, among runs started at or after `from` (ledger times, one machine). */
function peakSince(entries: readonly LedgerEntry[], prefix: string, from: number): number {
  const startedAfter = new Set(
    entries.filter((entry) => entry.event === 'started' && entry.at >= from && entry.label.startsWith(prefix)).map((entry) => `${entry.pid}:${entry.jobId}`),
  );
  const edges = entries
    .filter((entry) => startedAfter.has(`${entry.pid}:${entry.jobId}`) && (entry.event === 'started' || entry.event === 'performed'))
    .map((entry): [number, number] => [entry.at, entry.event === 'started' ? 1 : -1])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, change] of edges) peak = Math.max(peak, (running += change));
  return peak;
}

/** The most starts in any `windowMs` among times at or after `from`. */
function mostInWindow(times: readonly number[], from: number, windowMs: number): number {
  return peakInWindow(
    times.filter((time) => time >= from),
    windowMs,
  );
}

it('concurrency, unique and rate limits through close_all_connections and a broker restart: nothing lost, nothing leaked, limits hold after', {
  timeout: 300_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('limited');
  const parked = scenario.queue('parked'); // nobody consumes it until the end
  const account = `${scenario.prefix}acct`;
  const rateKey = `${scenario.prefix}rate`;
  const hourlyKey = `${scenario.prefix}hourly`;
  const uniqueLabel = `${scenario.prefix}unique`;
  const lock = await uniqueLockOf(UniqueLedgerJob, uniqueOf(UniqueLedgerJob)!, [uniqueLabel]);
  const hourlyPermits = RatePermits.queueName('FaultHourlyLimitedJob', hourlyKey, 3, 3_600_000);
  extraQueues.push(lock, hourlyPermits, RatePermits.queueName('FaultRateLimitedJob', rateKey, 10, 1_000));
  configure({ adapter: scenario.producer() });
  const workers = [0, 1].map(() => scenario!.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' }));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // A unique job parked in a queue nobody consumes holds its lock.
  expect((await UniqueLedgerJob.set({ queue: parked }).performLater(uniqueLabel)).successfullyEnqueued).toBe(true);
  // Three of five hourly-limited jobs run; two are postponed within the hour.
  expect(await performAllLater(Array.from({ length: 5 }, (_, i) => HourlyLimitedJob.set({ queue }).build(hourlyKey, `hourly-${i}`)))).toBe(5);
  await waitFor(() => scenario!.ledger().filter((entry) => entry.label.startsWith('hourly-')).length === 3, 'three hourly-limited jobs performed', 30_000);

  const perAccount = Array.from({ length: 16 }, (_, i) => PerAccountJob.set({ queue }).build(`acct-${i}`, account, 300));
  const rated = Array.from({ length: 40 }, (_, i) => RateLimitedJob.set({ queue }).build(rateKey, `rate-${i}`));
  expect(await performAllLater([...perAccount, ...rated])).toBe(56);
  await sleep(800);

  const connects = () => workers.map((worker) => worker.eventsNamed('connection:connect').length);
  const beforeClose = connects();
  await closeAllConnections();
  await waitFor(() => connects().every((n, i) => n > beforeClose[i]!), 'both workers to reconnect after close_all_connections', 60_000);
  await sleep(800);
  const beforeRestart = connects();
  await restartBrokerApp(2_000);
  await waitFor(() => connects().every((n, i) => n > beforeRestart[i]!), 'both workers to reconnect after the restart', 90_000);
  const back = Date.now();
  await scenario.reconnectProbe();

  // The durable lock and the hourly window outlived the restart.
  expect(await scenario.probe.messageCount(lock)).toBe(1);
  expect(await scenario.probe.messageCount(hourlyPermits)).toBe(3);
  const duplicate = await UniqueLedgerJob.set({ queue: parked }).performLater(uniqueLabel);
  expect(duplicate.successfullyEnqueued).toBe(false);
  expect(duplicate.enqueueError).toBeInstanceOf(DuplicateJobError);

  const count = await scenario.waitUntilPerformed(
    [...perAccount, ...rated].map((job) => job.jobId),
    120_000,
  );
  expect(count.lost).toEqual([]);
  const entries = scenario.ledger();
  console.info(
    `per-account peak over the whole run ${peakSince(entries, 'acct-', 0)}, after the workers were back ${peakSince(entries, 'acct-', back)} (limit 2); ` +
      `rate starts in a second: whole run ${mostInWindow(
        entries.filter((entry) => entry.label.startsWith('rate-')).map((entry) => entry.at),
        0,
        1_000,
      )} (limit 10)`,
  );
  // Once both workers were back, never more than the limits.
  expect(peakSince(entries, 'acct-', back)).toBeLessThanOrEqual(2);
  const rateTimes = entries.filter((entry) => entry.event === 'performed' && entry.label.startsWith('rate-')).map((entry) => entry.at);
  expect(mostInWindow(rateTimes, back, 1_000)).toBeLessThanOrEqual(10);
  // The hourly-limited jobs still wait: their window is full until the hour is over.
  expect(entries.filter((entry) => entry.label.startsWith('hourly-'))).toHaveLength(3);
  // No slot of the account is left once its jobs are done.
  const slots = execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name.trim().startsWith('warren.slot.FaultPerAccountJob.'));
  expect(slots).toEqual([]);

  // The parked unique job runs once when a worker takes its queue, and frees the lock.
  const taker = scenario.spawnWorker([parked]);
  await waitFor(
    () => scenario!.ledger().some((entry) => entry.label === uniqueLabel && entry.event === 'performed'),
    'the parked unique job performed',
    30_000,
  );
  await waitFor(async () => (await scenario!.probe.messageCount(lock)) === 0, 'the unique lock freed', 10_000);
  expect(scenario.ledger().filter((entry) => entry.label === uniqueLabel && entry.event === 'performed')).toHaveLength(1);
  taker.kill('SIGTERM');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
