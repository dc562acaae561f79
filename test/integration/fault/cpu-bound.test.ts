import { afterAll, expect, inject, it } from 'vitest';
import { configure } from '../../../src/index.js';
import { CpuBoundJob, LedgerJob } from '../../fixtures/fault/jobs.js';
import { describeCount } from '../../fixtures/fault/ledger.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { waitFor } from '../../support/wait.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario;

afterAll(async () => {
  await scenario?.cleanup();
  resetConfiguration();
});

/**
 * Documented behaviour (docs/workers.md): a job that blocks the event loop for longer than two
 * heartbeat intervals loses the connection; the broker requeues every unacked delivery of it.
 * The blocked job's ack goes out on the dead connection (the loop ends before Node sees the
 * socket closed) or is dropped as stale; it is never sent on the new channel. The broker
 * redelivers the job and it is performed again: a duplicate, never a loss.
 */
it('a CPU-bound job blocking the event loop past two heartbeats is redelivered and performed again: duplicates, nothing lost', {
  timeout: 120_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('cpu');
  configure({ adapter: scenario.producer() });
  const worker = scenario.spawnWorker([queue], { WARREN_FAULT_HEARTBEAT_S: '1', WARREN_FAULT_CONCURRENCY: '2' });
  await worker.waitUntilReady();

  const cpu = await CpuBoundJob.set({ queue }).performLater('cpu', 6_000);
  await waitFor(() => scenario.ledger().some((entry) => entry.jobId === cpu.jobId && entry.event === 'started'), 'the CPU-bound job to start');
  // Queued behind it: one is delivered into the second slot and waits out the block with it.
  const others = await Promise.all(Array.from({ length: 5 }, (_, i) => LedgerJob.set({ queue }).performLater(`after-${i}`, 10)));
  const confirmed = [cpu.jobId, ...others.map((job) => job.jobId)];

  const count = await scenario.waitUntilPerformed(confirmed, 60_000);
  await waitFor(async () => (await scenario.probe.messageCount(queue)) === 0, 'an empty queue');
  const cpuPerforms = scenario.ledger().filter((entry) => entry.jobId === cpu.jobId && entry.event === 'performed');
  const stale = worker.eventsNamed('delivery:stale-ack');
  console.info(
    `${describeCount('CPU-bound job, heartbeat 1 s, blocked 6 s', count)}; the blocked job performed ${cpuPerforms.length} times; ` +
      `${stale.length} stale acks dropped; ${worker.eventsNamed('connection:disconnect').length} disconnects`,
  );
  expect(count.lost).toEqual([]);
  expect(worker.eventsNamed('connection:disconnect').length).toBeGreaterThan(0);
  expect(cpuPerforms.length).toBeGreaterThanOrEqual(2);
  expect(count.duplicates).toBeGreaterThanOrEqual(1);
  expect(worker.exit).toBeUndefined();
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
