import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, expect, inject, it } from 'vitest';
import { configure, DelayLadder, type Job, performAllLater, type WorkerEvents } from '../../src/index.js';
import { LedgerJob, RetriedOnceJob } from '../fixtures/fault/jobs.js';
import { describeCount } from '../fixtures/fault/ledger.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';
import { forceCloseConnections } from '../support/broker-control.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;

afterAll(async () => {
  await scenario?.cleanup();
  resetConfiguration();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Extends test/serial/reconnect.test.ts (immediate jobs) to delays in flight: delayed jobs
 * held unacked by the worker until due, deliveries that arrive early and go round the ladder
 * again, retries whose publish must be confirmed before the ack, all while every connection
 * is force-closed three times.
 */
it('connections force-closed with delayed jobs held, retries publishing and acks in flight: no 406, no loss, none early', { timeout: 180_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('close');
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  // A producer whose ladder assumes 400 ms per hop: delayed jobs arrive well before they are due,
  // so during the closes the worker holds some (unacked) and sends others round the ladder again.
  const earlyLadder = new DelayLadder({ ...scenario.ladder.options, hopAllowanceMs: 400 });
  configure({ adapter: scenario.producer({ logger, delays: earlyLadder }) });
  // maxHoldMs 300: the due-job forwarder holds an early job at most that long before it forwards
  // it, so jobs 400 ms early (one hop) reach the worker ~100 ms early and are held, and jobs 800 ms
  // or more early still arrive far too early and go round the ladder again.
  const worker = await scenario.startWorker({ queues: [queue], concurrency: 100, logger, maxHoldMs: 300 });
  const seen = { held: 0, redelayed: 0, staleAcks: 0, skipped: 0, retries: 0 };
  worker.events.on('job:held', () => (seen.held += 1));
  worker.events.on('job:redelayed', () => (seen.redelayed += 1));
  worker.events.on('delivery:stale-ack', () => (seen.staleAcks += 1));
  worker.events.on('delivery:skipped', () => (seen.skipped += 1));
  worker.events.on('job:retry', () => (seen.retries += 1));
  const requeued: Array<WorkerEvents['job:requeued']> = [];
  worker.events.on('job:requeued', (event) => requeued.push(event));

  const start = Date.now();
  const dueAt = new Map<string, number>();
  const jobs: Job[] = [];
  for (let i = 0; i < 60; i += 1) {
    // Due every 100 ms from 0.5 s to 6.5 s: some arrive, are held or run during each close.
    const due = start + 500 + i * 100;
    const job = LedgerJob.set({ queue, waitUntil: new Date(due) }).build(`delayed-${i}`, 50);
    dueAt.set(job.jobId, due);
    jobs.push(job);
  }
  for (let i = 0; i < 30; i += 1) jobs.push(RetriedOnceJob.set({ queue }).build(`retried-${i}`, 200));
  for (let i = 0; i < 30; i += 1) jobs.push(LedgerJob.set({ queue }).build(`slow-${i}`, 400));
  expect(await performAllLater(jobs)).toBe(jobs.length);

  for (const at of [1_500, 3_000, 4_500]) {
    await sleep(start + at - Date.now());
    await forceCloseConnections('warren fault test: delays in flight');
  }
  await scenario.reconnectProbe();

  const confirmed = jobs.map((job) => job.jobId);
  const count = await scenario.waitUntilPerformed(confirmed, 90_000);
  const ledger = scenario.ledger();
  const early = [...dueAt].filter(([jobId, due]) => ledger.some((entry) => entry.jobId === jobId && entry.event === 'started' && entry.at < due));
  console.info(
    `${describeCount('close_all_connections x3 with delays in flight', count)}; ${seen.held} held, ${seen.redelayed} sent round the ladder again, ` +
      `${seen.retries} retries, ${seen.staleAcks} stale acks dropped, ${seen.skipped} deliveries of closed channels not performed, ${requeued.length} requeued after a failed publish, ${early.length} early`,
  );
  expect(count.lost).toEqual([]);
  expect(early).toEqual([]);
  const log = lines.join('');
  expect(log).not.toMatch(/unknown delivery tag/i);
  expect(log).not.toMatch(/PRECONDITION_FAILED/);
  expect(seen.held).toBeGreaterThan(0);
  expect(seen.redelayed).toBeGreaterThan(0);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
