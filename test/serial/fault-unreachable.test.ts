import { afterAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, EnqueueError } from '../../src/index.js';
import { ensureBrokerRunning, rabbitmqctl } from '../fixtures/fault/broker-admin.js';
import { LedgerJob } from '../fixtures/fault/jobs.js';
import { describeCount } from '../fixtures/fault/ledger.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;

afterAll(async () => {
  await ensureBrokerRunning();
  await scenario?.cleanup();
  resetConfiguration();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('publishing while the broker is unreachable: every performLater settles, confirmed after recovery or refused with a clear error after its timeout', {
  timeout: 180_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('outage');
  const patient = scenario.producer({ publishTimeoutMs: 30_000 });
  const hasty = scenario.producer({ publishTimeoutMs: 3_000 });
  // Both producers connected before the outage.
  const warmUps = [envelopeWarmUp(queue), envelopeWarmUp(queue)];
  await patient.enqueue(warmUps[0]!);
  await hasty.enqueue(warmUps[1]!);

  let confirmed: string[] = [];
  let refused: Array<{ jobId: string; error: Error }> = [];
  try {
    await rabbitmqctl(['stop_app']);

    // 1. A timeout longer than the outage: confirmed once the broker is back (immediate and delayed jobs).
    // (enqueue() picks the configured adapter before its first await, so switching after is safe.)
    configure({ adapter: patient });
    const outlasting = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? LedgerJob.set({ queue }).build(`outlasting-${i}`, 5) : LedgerJob.set({ queue, wait: 1_500 }).build(`outlasting-delayed-${i}`, 5),
    );
    const outlastingPublishes = Promise.allSettled(outlasting.map((job) => job.enqueue()));

    // 2. A timeout shorter than the outage: refused with an EnqueueError that says why.
    configure({ adapter: hasty });
    const refusedJobs = Array.from({ length: 10 }, (_, i) => LedgerJob.set({ queue, ...(i % 2 === 1 && { wait: 1_000 }) }).build(`refused-${i}`, 5));
    const refusedOutcomes = await Promise.all(refusedJobs.map((job) => job.enqueue()));
    expect(refusedOutcomes.every((enqueued) => enqueued === false)).toBe(true);
    refused = refusedJobs.map((job) => ({ jobId: job.jobId, error: job.enqueueError! }));

    // 3. A producer that never reached the broker at all.
    const fresh = new AmqpAdapter({ url, publishTimeoutMs: 2_000, reconnectMinMs: 100 });
    const freshOutcome = await fresh.enqueue(envelopeWarmUp(queue)).catch((error: unknown) => error);
    await fresh.close();
    expect(freshOutcome).toBeInstanceOf(EnqueueError);
    expect((freshOutcome as Error).message).toMatch(
      /timed out within 2000 ms: the broker at amqp:\/\/[^:]+:\*\*\*@[^ ]+ is unreachable \(connect ECONNREFUSED[^)]*\); the job was not enqueued/,
    );

    await sleep(1_000);
    await ensureBrokerRunning();
    const settled = await outlastingPublishes;
    expect(settled.map((outcome) => outcome.status === 'fulfilled' && outcome.value === true)).toEqual(outlasting.map(() => true));
    confirmed = [...warmUps.map((envelope) => envelope.job_id), ...outlasting.map((job) => job.jobId)];
  } finally {
    await ensureBrokerRunning();
  }
  await scenario.reconnectProbe();

  for (const { error } of refused) {
    expect(error).toBeInstanceOf(EnqueueError);
    expect(error.message).toMatch(/timed out within 3000 ms: the broker at .* is unreachable .*; the job was not enqueued/);
  }

  await scenario.spawnWorker([queue], { WARREN_FAULT_CONCURRENCY: '5' }).waitUntilReady();
  const count = await scenario.waitUntilPerformed(confirmed, 60_000);
  // "Not enqueued" must be true: none of the refused jobs ever runs.
  await sleep(3_000);
  const refusedIds = new Set(refused.map((entry) => entry.jobId));
  const refusedButPerformed = scenario.ledger().filter((entry) => refusedIds.has(entry.jobId));
  console.info(
    `${describeCount('publishing during a broker outage', count)}; ${refused.length} refused after their 3 s timeout, ${refusedButPerformed.length} of them performed anyway`,
  );
  expect(count.lost).toEqual([]);
  expect(refusedButPerformed).toEqual([]);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

function envelopeWarmUp(queue: string) {
  return envelopeFor(queue, { job_class: 'FaultLedgerJob', job_id: `warm-up-${Math.random().toString(36).slice(2)}`, arguments: ['warm-up', 0] });
}
