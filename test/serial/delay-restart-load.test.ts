// A broker restart while thousands of delayed jobs and retries move through the delay ladder,
// timed so that many of them fall due while the broker stops: not one confirmed job may be lost.
// (warren 0.1's classic ladder lost up to 4% of these: dead-lettering out of a classic queue is
// at-most-once. The quorum ladder dead-letters at-least-once.)
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, type Job, performAllLater } from '../../src/index.js';
import { changeRabbitSettings, ensureBrokerRunning, rabbitmqctl, restartBrokerApp } from '../fixtures/fault/broker-admin.js';
import { DelayFixture } from '../integration/delay/delay-fixture.js';
import { FlakyTimedJob, recordedRuns, resetRuns, TimedJob } from '../integration/delay/delay-jobs.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
const cleanup: Array<() => Promise<void>> = [];

// RabbitMQ 3.10 starts a quorum queue's dead-letter worker before the vhost's exchanges are
// back after a restart: what expires in that instant waits for the worker's retry timer
// (dead_letter_worker_publisher_confirm_timeout, 180 s by default; docs/delays.md advises 10 s).
// These tests run with the advised setting, and put the broker's own back afterwards.
let restoreSettings: (() => Promise<void>) | undefined;
beforeAll(async () => {
  restoreSettings = await changeRabbitSettings({ dead_letter_worker_publisher_confirm_timeout: '10000' });
});

afterAll(async () => {
  await ensureBrokerRunning();
  for (const step of cleanup.reverse()) await step().catch(() => {});
  await restoreSettings?.();
  resetConfiguration();
});

/** Where the ladder's messages are, for the failure message: `rabbitmqctl list_queues` counts dead-lettered ones not yet moved. */
async function ladderReport(fixture: DelayFixture): Promise<string> {
  const listing = await rabbitmqctl(['list_queues', 'name', 'messages', 'messages_ready']);
  return listing
    .split('\n')
    .filter((line) => line.startsWith(fixture.prefix) && !/\t0\t0$/.test(line))
    .join('\n');
}

const DELAYED = 3_000;
const RETRIED = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a broker restart while 3,000 delayed jobs and 600 retries are moving through the ladder (many due at that instant) loses none of them', {
  timeout: 300_000,
}, async () => {
  resetRuns();
  const fixture = await DelayFixture.open(url);
  cleanup.push(() => fixture.cleanup());
  const queue = fixture.queue('restart-load');
  const producer = new AmqpAdapter({ url, delays: fixture.ladder, reconnectMinMs: 100, reconnectMaxMs: 1_000, publishTimeoutMs: 60_000 });
  cleanup.push(() => producer.close());
  configure({ adapter: producer });
  // The worker consumes through the restart: retries are published from it while the broker stops.
  await fixture.startWorker({ queues: [queue], concurrency: 50, reconnectMinMs: 100, reconnectMaxMs: 1_000 });
  cleanup.push(() => fixture.stopWorkers());

  // Delayed jobs due from 2.5 s to 6.5 s from now; the broker stops 4 s from now, for 2 s.
  const start = Date.now();
  const jobs: Job[] = [];
  for (let index = 0; index < DELAYED; index += 1) {
    const dueAt = start + 2_500 + Math.floor((4_000 * index) / DELAYED);
    jobs.push(TimedJob.set({ queue, waitUntil: new Date(dueAt) }).build(`delayed-${index}`, dueAt));
  }
  // Each fails twice and is retried 200 ms later each time: while the broker stops, some are
  // in the ladder, some are being published by the worker, some wait in the queue.
  const retried: Job[] = Array.from({ length: RETRIED }, (_, index) => FlakyTimedJob.set({ queue }).build(`retried-${index}`));
  for (let offset = 0; offset < jobs.length; offset += 100) await performAllLater(jobs.slice(offset, offset + 100));
  expect(jobs.every((job) => job.successfullyEnqueued)).toBe(true);

  // Retries go out in waves from 1 s before the stop until it.
  const beforeStop = start + 3_000 - Date.now();
  if (beforeStop > 0) await sleep(beforeStop);
  for (let offset = 0; offset < retried.length; offset += 100) {
    await performAllLater(retried.slice(offset, offset + 100));
    await sleep(150);
  }
  expect(retried.every((job) => job.successfullyEnqueued)).toBe(true);
  const untilStop = start + 4_000 - Date.now();
  if (untilStop > 0) await sleep(untilStop);
  await restartBrokerApp(2_000);

  const expected = new Set([...jobs, ...retried].map((job) => job.jobId));
  const succeeded = (): Set<string> =>
    new Set(
      recordedRuns()
        .filter((run) => run.job === 'TimedJob' || run.executions >= 3)
        .map((run) => run.jobId),
    );
  await waitFor(() => [...expected].every((id) => succeeded().has(id)), 'every confirmed job performed', 90_000, 500).catch(() => {});
  const done = succeeded();
  const lost = [...expected].filter((id) => !done.has(id));
  if (lost.length > 0) console.log(await ladderReport(fixture));
  expect(lost, `${lost.length} of ${expected.size} confirmed jobs were never performed`).toEqual([]);
  const early = recordedRuns().filter((run) => run.job === 'TimedJob' && run.at < run.dueAt);
  expect(early).toEqual([]);
  expect(await fixture.probe.messageCountIfAny(fixture.deadLetterQueue)).toBe(0);
});

it('a broker stopped right after 5,000 delayed jobs were confirmed, and started 2 s later, delivers all of them to a worker started afterwards', {
  timeout: 300_000,
}, async () => {
  resetRuns();
  const fixture = await DelayFixture.open(url);
  cleanup.push(() => fixture.cleanup());
  const queue = fixture.queue('restart-idle');
  const producer = new AmqpAdapter({ url, delays: fixture.ladder });
  configure({ adapter: producer });
  const start = Date.now();
  const jobs: Job[] = [];
  for (let index = 0; index < 5_000; index += 1) {
    const dueAt = start + 1_500 + Math.floor((3_000 * index) / 5_000);
    jobs.push(TimedJob.set({ queue, waitUntil: new Date(dueAt) }).build(`idle-${index}`, dueAt));
  }
  for (let offset = 0; offset < jobs.length; offset += 500) await performAllLater(jobs.slice(offset, offset + 500));
  expect(jobs.every((job) => job.successfullyEnqueued)).toBe(true);
  await producer.close();
  await restartBrokerApp(2_000);
  await fixture.reconnect();

  await fixture.startWorker({ queues: [queue], concurrency: 50 });
  cleanup.push(() => fixture.stopWorkers());
  const expected = jobs.map((job) => job.jobId);
  const performed = (): Set<string> => new Set(recordedRuns().map((run) => run.jobId));
  await waitFor(() => expected.every((id) => performed().has(id)), 'every confirmed job performed', 120_000, 500).catch(() => {});
  const done = performed();
  const lost = expected.filter((id) => !done.has(id));
  expect(lost, `${lost.length} of ${expected.length} confirmed jobs were never performed`).toEqual([]);
  expect(recordedRuns().filter((run) => run.at < run.dueAt)).toEqual([]);
});
