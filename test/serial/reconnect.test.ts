import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, EnqueueError, performAllLater, Worker } from '../../src/index.js';
import { BlockingJob, onReport, registry, type FixtureReport } from '../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { forceCloseConnections } from '../support/broker-control.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
const prefix = uniquePrefix();
const queue = `${prefix}reconnect`;
const deadLetterQueue = `${prefix}dead`;
const cleanup: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  const probe = await BrokerProbe.open(url);
  await probe.deleteQueues([queue, deadLetterQueue]);
  await probe.close();
  resetConfiguration();
});

it('recovers from a forced close of every connection with acks in flight: no 406, no lost job', { timeout: 120_000 }, async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  const reports: FixtureReport[] = [];
  const stopReports = onReport((report) => reports.push(report));
  cleanup.push(async () => void stopReports());

  const producer = new AmqpAdapter({ url, logger, reconnectMinMs: 100 });
  configure({ adapter: producer });
  cleanup.push(() => producer.close());
  const worker = new Worker({ url, registry, queues: [queue], concurrency: 5, deadLetterQueue, handleSignals: false, logger, reconnectMinMs: 100 });
  cleanup.push(() => worker.stop());
  const staleAcks: unknown[] = [];
  worker.events.on('delivery:stale-ack', (event) => staleAcks.push(event));
  await worker.start();

  const jobs = Array.from({ length: 30 }, (_, i) => BlockingJob.set({ queue }).build(`before-${i}`, 1_500));
  expect(await performAllLater(jobs)).toBe(30);
  await waitFor(() => worker.inFlightCount > 0 && reports.some((r) => r.event === 'performed'), 'jobs in flight');

  await forceCloseConnections();

  // Publishing while the connections are down: every promise settles, confirmed after the reconnect or refused.
  const late = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => BlockingJob.set({ queue }).performLater(`during-${i}`, 10)));
  for (const outcome of late) {
    if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(EnqueueError);
  }
  const confirmed = [...jobs.map((job) => job.jobId), ...late.flatMap((o) => (o.status === 'fulfilled' ? [o.value.jobId] : []))];

  const performedIds = (): Set<string> => new Set(reports.filter((r) => r.event === 'performed').map((r) => r.jobId));
  await waitFor(() => confirmed.every((id) => performedIds().has(id)), 'every confirmed job performed', 90_000);
  const probe = await BrokerProbe.open(url);
  cleanup.push(() => probe.close());
  await waitFor(async () => (await probe.messageCount(queue)) === 0, 'an empty queue', 30_000);

  const log = lines.join('');
  expect(log).not.toMatch(/unknown delivery tag/i);
  expect(log).not.toMatch(/PRECONDITION_FAILED/);
  // The jobs running during the close finished on a dead channel: their acks were dropped, not sent on the new one.
  expect(staleAcks.length).toBeGreaterThan(0);
  const performedCount = reports.filter((r) => r.event === 'performed').length;
  console.info(
    `reconnect: ${confirmed.length} confirmed, ${performedIds().size} performed, ${performedCount - performedIds().size} duplicates (redelivered after the close), ${late.length - (confirmed.length - jobs.length)} refused while down`,
  );
});
