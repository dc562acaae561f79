import { afterAll, expect, inject, it } from 'vitest';
import { configure, type Job, performAllLater } from '../../../src/index.js';
import { LedgerJob, RetriedOnceJob } from '../../fixtures/fault/jobs.js';
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

it('a job whose worker process is SIGKILLed mid-perform is performed by another worker; every confirmed job is performed', { timeout: 180_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('jobs');
  configure({ adapter: scenario.producer() });
  const workers = [scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' }), scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' })];
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));

  // 300 jobs of 20-120 ms; one in ten fails its first run and is retried through the delay ladder.
  const jobs: Job[] = Array.from({ length: 300 }, (_, i) =>
    i % 10 === 0 ? RetriedOnceJob.set({ queue }).build(`retried-${i}`, 50) : LedgerJob.set({ queue }).build(`job-${i}`, 20 + (i % 6) * 20),
  );
  expect(await performAllLater(jobs)).toBe(jobs.length);
  const confirmed = jobs.map((job) => job.jobId);

  const killed: Array<{ pid: number; inFlight: string[] }> = [];
  for (let round = 0; round < 2; round += 1) {
    const victim = workers[round]!;
    // Kill while it is in the middle of jobs: started, not yet performed.
    await waitFor(() => inFlightOf(victim.pid).length > 0, `worker ${victim.pid} to be mid-job`, 60_000, 5);
    victim.kill('SIGKILL');
    await victim.exited;
    killed.push({ pid: victim.pid, inFlight: inFlightOf(victim.pid) });
    const replacement = scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' });
    workers.push(replacement);
    await replacement.waitUntilReady();
  }

  const count = await scenario.waitUntilPerformed(confirmed);
  console.info(`${describeCount('worker SIGKILL x2', count)}; in flight at the kills: ${killed.map((k) => k.inFlight.length).join(', ')}`);
  expect(count.lost).toEqual([]);
  // Each job cut short by a kill was performed afterwards, by another process.
  for (const { pid, inFlight } of killed) {
    expect(inFlight.length).toBeGreaterThan(0);
    for (const jobId of inFlight) {
      expect(scenario.ledger().some((entry) => entry.jobId === jobId && entry.event === 'performed' && entry.pid !== pid)).toBe(true);
    }
  }
  await waitFor(async () => (await scenario.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

/** Jobs the process started (possibly again after a redelivery) and has not performed. */
function inFlightOf(pid: number): string[] {
  const entries = scenario.ledger().filter((entry) => entry.pid === pid);
  const done = new Set(entries.filter((entry) => entry.event !== 'started').map((entry) => `${entry.jobId}/${entry.executions}`));
  return [...new Set(entries.filter((entry) => entry.event === 'started' && !done.has(`${entry.jobId}/${entry.executions}`)).map((entry) => entry.jobId))];
}
