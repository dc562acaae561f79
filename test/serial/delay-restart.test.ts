import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Worker } from '../../src/index.js';
import { DelayFixture } from '../integration/delay/delay-fixture.js';
import { delayRegistry, recordedRuns, TimedJob } from '../integration/delay/delay-jobs.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const run = promisify(execFile);
const url = inject('amqpUrl');
const cleanup: Array<() => Promise<void>> = [];

/** Makes sure the broker application runs (start_app is a no-op when it already does) and answers. */
async function ensureBrokerRunning(): Promise<void> {
  await run('rabbitmqctl', ['start_app']);
  await run('rabbitmqctl', ['await_startup']);
}

afterAll(async () => {
  await ensureBrokerRunning();
  for (const step of cleanup.reverse()) await step().catch(() => {});
  resetConfiguration();
});

it('delayed jobs pending in the ladder survive a broker restart and run after it, none early', { timeout: 300_000 }, async () => {
  const fixture = await DelayFixture.open(url);
  cleanup.push(async () => fixture.cleanup());
  const queue = fixture.queue('restart');
  const producer = new AmqpAdapter({ url, delays: fixture.ladder, reconnectMinMs: 100 });
  cleanup.push(() => producer.close());
  configure({ adapter: producer });

  const now = Date.now();
  // One due while the broker is down, one due after it is back.
  const duringRestart = now + 3_000;
  const afterRestart = now + 25_000;
  await TimedJob.set({ queue, waitUntil: duringRestart }).performLater('during', duringRestart);
  await TimedJob.set({ queue, waitUntil: afterRestart }).performLater('after', afterRestart);
  await producer.close();
  expect(await fixture.waitingInLadder()).toBe(2);

  try {
    await run('rabbitmqctl', ['stop_app']);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
  } finally {
    await ensureBrokerRunning();
  }
  await fixture.reconnect();
  expect(await fixture.waitingInLadder()).toBeGreaterThanOrEqual(1);

  const worker = new Worker({
    url,
    registry: delayRegistry,
    queues: [queue],
    handleSignals: false,
    delays: fixture.ladder,
    deadLetterQueue: fixture.deadLetterQueue,
  });
  cleanup.push(() => worker.stop());
  await worker.start();
  // Usually within 25 s. The wait covers the broker's dead_letter_worker_publisher_confirm_timeout
  // (180 s by default on 3.10): a quorum level's dead-lettering caught by the stop can wait that
  // long before the broker tries again (README, "Running on a cluster"). The test is about loss.
  await waitFor(() => recordedRuns().filter((entry) => entry.label === 'during' || entry.label === 'after').length === 2, 'both delayed jobs', 200_000);
  for (const entry of recordedRuns()) expect(entry.at).toBeGreaterThanOrEqual(entry.dueAt);
});
