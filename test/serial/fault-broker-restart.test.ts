import { afterAll, expect, inject, it } from 'vitest';
import { configure, EnqueueError } from '../../src/index.js';
import { ensureBrokerRunning, restartBrokerApp } from '../fixtures/fault/broker-admin.js';
import { describeCount } from '../fixtures/fault/ledger.js';
import { PacedProducer } from '../fixtures/fault/paced-producer.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;

afterAll(async () => {
  await ensureBrokerRunning();
  await scenario?.cleanup();
  resetConfiguration();
});

it('the broker restarted while jobs are published, consumed and delayed: publishers and consumers recover by themselves, nothing confirmed is lost', {
  timeout: 180_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('restart');
  configure({ adapter: scenario.producer({ publishTimeoutMs: 20_000 }) });
  const workers = [scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' }), scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' })];
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // 40 jobs a second; one in five delayed by up to 6 s (some still in the ladder across the restart), one in seven retried.
  const producer = new PacedProducer({ queue, ratePerSecond: 40, delayedEvery: 5, maxDelayMs: 6_000, retriedEvery: 7, workMs: 20 }).start();
  await waitFor(() => producer.confirmedIds().length >= 100, 'a hundred confirmed jobs', 30_000);
  const delayedBeforeRestart = producer.produced.filter((entry) => entry.kind === 'delayed' && entry.confirmed && entry.dueAt! > Date.now() + 3_000).length;

  const stoppedAt = Date.now();
  await restartBrokerApp(4_000);
  const restartedAt = Date.now();
  await scenario.reconnectProbe();

  // Keep publishing for a while after the restart, then settle everything.
  await waitFor(() => producer.produced.some((entry) => entry.confirmed && entry.createdAt > restartedAt + 2_000), 'publishing to resume', 60_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await producer.stop();

  const confirmed = producer.confirmedIds();
  const count = await scenario.waitUntilPerformed(confirmed, 90_000);
  const refused = producer.refused();
  const ledger = scenario.ledger();
  const performedAfterRestart = ledger.filter((entry) => entry.event === 'performed' && entry.at > restartedAt).length;
  const early = producer.produced.filter(
    (entry) =>
      entry.kind === 'delayed' && entry.confirmed && ledger.some((run) => run.jobId === entry.job.jobId && run.event === 'started' && run.at < entry.dueAt!),
  );
  console.info(
    `${describeCount('broker restart (stop_app 4 s) while publishing, consuming and delaying', count)}; ` +
      `${producer.produced.length} published, ${refused.length} refused with an error, ${delayedBeforeRestart} delayed jobs due after the restart, ` +
      `${performedAfterRestart} performed after it, ${early.length} delayed jobs early; down ${restartedAt - stoppedAt} ms`,
  );
  expect(count.lost).toEqual([]);
  // Every publish settled; one that did not reach the broker says so.
  expect(producer.pendingCount).toBe(0);
  for (const entry of refused) {
    const error = entry.errors.at(-1)!;
    expect(error).toBeInstanceOf(EnqueueError);
    expect(error.message).toMatch(/timed out|closed|unreachable|not confirm/);
  }
  expect(delayedBeforeRestart).toBeGreaterThan(0);
  expect(performedAfterRestart).toBeGreaterThan(0);
  expect(early).toEqual([]);
  for (const worker of workers) expect(worker.exit).toBeUndefined();
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
