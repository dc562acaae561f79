import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, expect, inject, it } from 'vitest';
import { configure, type WorkerEvents } from '../../src/index.js';
import { changeRabbitSettings } from '../fixtures/fault/broker-admin.js';
import { LedgerJob, SlowOnceJob } from '../fixtures/fault/jobs.js';
import { describeCount } from '../fixtures/fault/ledger.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let restoreSettings: (() => Promise<void>) | undefined;

afterAll(async () => {
  await restoreSettings?.();
  await scenario?.cleanup();
  resetConfiguration();
});

/**
 * Documented behaviour (docs/workers.md): when a delivery stays unacked past the broker's
 * consumer timeout, RabbitMQ closes the worker's consuming channel with 406 PRECONDITION_FAILED
 * and requeues every unacked delivery of that channel. warren logs the error, reconnects and
 * subscribes again; the job is delivered again and runs a second time while the first run,
 * which nothing aborts, goes on. When the first run finishes its ack belongs to the closed
 * channel and is dropped (`delivery:stale-ack`), never sent on the new one. Duplicates, no loss.
 * (RabbitMQ 3.10 reads `consumer_timeout` when a channel opens and checks it on the channel's
 * tick, once a minute by default: this test lowers both for new channels and restores them.)
 */
it("a job running past the consumer timeout: its channel is closed and the job redelivered and performed again; the first run's ack is dropped; nothing lost", {
  timeout: 180_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('timeout');
  restoreSettings = await changeRabbitSettings({ consumer_timeout: '3000', channel_tick_interval: '1000' });
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  const worker = await scenario.startWorker({ queues: [queue], concurrency: 5, logger });
  const stale: Array<WorkerEvents['delivery:stale-ack']> = [];
  worker.events.on('delivery:stale-ack', (event) => stale.push(event));
  const disconnects: Array<WorkerEvents['connection:disconnect']> = [];
  worker.events.on('connection:disconnect', (event) => disconnects.push(event));

  configure({ adapter: scenario.producer() });
  const slow = await SlowOnceJob.set({ queue }).performLater('past the timeout', 9_000);
  // A job that finishes in time on the same channel, and jobs waiting behind.
  const quick = await LedgerJob.set({ queue }).performLater('in time', 500);
  const others = await Promise.all(Array.from({ length: 5 }, (_, i) => LedgerJob.set({ queue }).performLater(`other-${i}`, 100)));
  const confirmed = [slow.jobId, quick.jobId, ...others.map((job) => job.jobId)];

  await waitFor(() => lines.join('').includes('PRECONDITION_FAILED'), 'the broker to close the channel for the consumer timeout', 30_000);
  // The redelivered copy runs (quickly) while the first run still sleeps.
  await scenario.waitUntilPerformed(confirmed, 60_000);
  const slowRuns = () => scenario!.ledger().filter((entry) => entry.jobId === slow.jobId && entry.event === 'performed');
  await waitFor(() => slowRuns().length === 2, 'the first run to finish as well', 30_000);
  await waitFor(() => stale.some((event) => event.messageId === slow.jobId), "the first run's ack to be dropped as stale");
  await restoreSettings();
  restoreSettings = undefined;

  const count = scenario.count(confirmed);
  const log = lines.join('');
  console.info(
    `${describeCount('consumer timeout 3 s, job of 9 s', count)}; the slow job performed ${slowRuns().length} times, ` +
      `${stale.length} stale acks dropped, ${disconnects.length} disconnects`,
  );
  expect(count.lost).toEqual([]);
  expect(count.duplicates).toBeGreaterThanOrEqual(1);
  expect(log).toMatch(/delivery acknowledgement on channel \d+ timed out/);
  expect(log).not.toMatch(/unknown delivery tag/i);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
  expect(worker.inFlightCount).toBe(0);
});
