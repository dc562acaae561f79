// Per-key rate limits across worker processes: RateLimitedJob allows 10 starts per second per key.
// Three processes with room for 12 jobs at once never start more than 10 of one key in any second
// (the ledger's times, one clock), another key goes at its own rate, a process SIGKILLed midway
// loses nothing (the jobs it postponed wait in the delay ladder), and every job runs.
import { expect, inject, it } from 'vitest';
import { configure, performAllLater } from '../../../src/index.js';
import { RateLimitedJob } from '../../fixtures/fault/jobs.js';
import { peakInWindow } from '../../fixtures/fault/ledger.js';
import { useFaultScenario } from '../../fixtures/fault/use-scenario.js';
import { waitFor } from '../../support/wait.js';

const scenarios = useFaultScenario(inject('amqpUrl'));

it('three worker processes start at most 10 jobs of a key per second; another key has its own 10; a worker killed midway loses nothing', {
  timeout: 120_000,
}, async () => {
  const scenario = await scenarios.open();
  const queue = scenario.queue('rated');
  configure({ adapter: scenario.producer() });
  const workers = [0, 1, 2].map(() => scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' }));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const jobs = [
    ...Array.from({ length: 40 }, (_, i) => RateLimitedJob.set({ queue }).build('acme', `acme-${i}`)),
    ...Array.from({ length: 20 }, (_, i) => RateLimitedJob.set({ queue }).build('globex', `globex-${i}`)),
  ];
  const started = Date.now();
  expect(await performAllLater(jobs)).toBe(jobs.length);
  await waitFor(() => scenario.ledger().length >= 15, 'some jobs to run', 30_000);
  workers[0]!.kill('SIGKILL');
  await workers[0]!.exited;
  const count = await scenario.waitUntilPerformed(
    jobs.map((job) => job.jobId),
    90_000,
  );
  const elapsed = Date.now() - started;
  const entries = scenario.ledger().filter((entry) => entry.event === 'performed');
  const acme = entries.filter((entry) => entry.label.startsWith('acme-')).map((entry) => entry.at);
  const globex = entries.filter((entry) => entry.label.startsWith('globex-')).map((entry) => entry.at);
  console.info(
    `rate limit 10/s per key: 40 acme and 20 globex jobs in ${elapsed} ms; peak starts in 1 s: acme ${peakInWindow(acme, 1_000)}, globex ${peakInWindow(globex, 1_000)}; ${count.duplicates} duplicates`,
  );
  expect(count.lost).toEqual([]);
  // Timed at the start itself (the ledger's clock, in perform): a worker starts a granted job only
  // within its permit's start tolerance, so the starts, not only the grants, keep to 10 a second.
  expect(peakInWindow(acme, 1_000)).toBeLessThanOrEqual(10);
  expect(peakInWindow(globex, 1_000)).toBeLessThanOrEqual(10);
  // 40 starts at 10 per second take more than 3 seconds.
  expect(Math.max(...acme) - Math.min(...acme)).toBeGreaterThanOrEqual(3_000);
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
