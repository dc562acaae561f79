// Per-key concurrency limits across worker processes: PerAccountJob allows 2 at once per account.
// Three processes with room for 4 jobs each never run more than 2 of one account at a time, while
// the other accounts go on; a process SIGKILLed while it holds slots gives them back (the broker
// deletes its exclusive slot queues with its connection), and every job runs; no slot is left.
import { execFileSync } from 'node:child_process';
import { expect, inject, it } from 'vitest';
import { configure, performAllLater } from '../../../src/index.js';
import { PerAccountJob } from '../../fixtures/fault/jobs.js';
import type { LedgerEntry } from '../../fixtures/fault/ledger.js';
import { useFaultScenario } from '../../fixtures/fault/use-scenario.js';
import { waitFor } from '../../support/wait.js';

const scenarios = useFaultScenario(inject('amqpUrl'));

/** The most jobs of `account` running at one moment, from the ledger's start and end times (same clock: one machine). */
function peakOverlap(entries: LedgerEntry[], account: string): number {
  const edges: Array<[number, number]> = [];
  for (const entry of entries) {
    if (!entry.label.startsWith(`${account}-`)) continue;
    // An end sorts before a start at the same millisecond: a slot given back, then taken.
    edges.push([entry.at, entry.event === 'started' ? 1 : -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, change] of edges) {
    running += change;
    peak = Math.max(peak, running);
  }
  return peak;
}

/** Slot queues of PerAccountJob still on the broker. */
function slotQueues(): string[] {
  const listing = execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], { encoding: 'utf8' });
  return listing.split('\n').filter((name) => name.trim().startsWith('warren.slot.FaultPerAccountJob.'));
}

it('three worker processes never run more than 2 jobs of one account at once; other accounts go on; each job runs once', { timeout: 120_000 }, async () => {
  const scenario = await scenarios.open();
  const queue = scenario.queue('accounts');
  configure({ adapter: scenario.producer() });
  const workers = [0, 1, 2].map(() => scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' }));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const jobs = [
    ...Array.from({ length: 10 }, (_, i) => PerAccountJob.set({ queue }).build(`acme-${i}`, 'acme', 200)),
    ...Array.from({ length: 10 }, (_, i) => PerAccountJob.set({ queue }).build(`globex-${i}`, 'globex', 200)),
    ...Array.from({ length: 4 }, (_, i) => PerAccountJob.set({ queue }).build(`initech-${i}`, 'initech', 200)),
  ];
  expect(await performAllLater(jobs)).toBe(jobs.length);
  const count = await scenario.waitUntilPerformed(
    jobs.map((job) => job.jobId),
    90_000,
  );
  const entries = scenario.ledger();
  const peaks = Object.fromEntries(['acme', 'globex', 'initech'].map((account) => [account, peakOverlap(entries, account)]));
  console.info(`per-account peaks with limit 2 and room for 12: ${JSON.stringify(peaks)}; ${count.duplicates} duplicates`);
  expect(count.lost).toEqual([]);
  expect(count.duplicates).toBe(0);
  expect(peaks.acme).toBe(2);
  expect(peaks.globex).toBe(2);
  expect(peaks.initech).toBeLessThanOrEqual(2);
  // The three accounts ran side by side: at some moment jobs of at least two accounts were running.
  expect(
    peakOverlap(
      entries.map((entry) => ({ ...entry, label: `all-${entry.label}` })),
      'all',
    ),
  ).toBeGreaterThan(2);
  await waitFor(() => slotQueues().length === 0, 'every slot given back');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

it('a worker SIGKILLed while it holds slots gives them back: the other worker runs every job of the account', { timeout: 120_000 }, async () => {
  const scenario = await scenarios.open();
  const queue = scenario.queue('killed-slots');
  configure({ adapter: scenario.producer() });
  const victim = scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' });
  await victim.waitUntilReady();
  const jobs = Array.from({ length: 8 }, (_, i) => PerAccountJob.set({ queue }).build(`acme-${i}`, 'acme', 1_500));
  expect(await performAllLater(jobs)).toBe(jobs.length);
  await waitFor(() => scenario.ledger().filter((entry) => entry.event === 'started').length === 2, 'the victim to hold both slots', 30_000);
  expect(slotQueues()).toHaveLength(2);
  victim.kill('SIGKILL');
  await victim.exited;
  const survivor = scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '4' });
  await survivor.waitUntilReady();
  const count = await scenario.waitUntilPerformed(
    jobs.map((job) => job.jobId),
    90_000,
  );
  expect(count.lost).toEqual([]);
  // The victim's two jobs never ended (it was killed): the limit is checked on the survivor's runs.
  expect(
    peakOverlap(
      scenario.ledger().filter((entry) => entry.pid !== victim.pid),
      'acme',
    ),
  ).toBe(2);
  const performedBySurvivor = scenario.ledger().filter((entry) => entry.event === 'performed' && entry.pid === survivor.pid);
  expect(performedBySurvivor).toHaveLength(8);
  await waitFor(() => slotQueues().length === 0, 'every slot given back');
});
