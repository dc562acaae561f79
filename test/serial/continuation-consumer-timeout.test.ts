import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, expect, inject, it } from 'vitest';
import { configure, parseTopology, type WorkerEvents } from '../../src/index.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { changeRabbitSettings } from '../fixtures/fault/broker-admin.js';
import { StepLedgerJob } from '../fixtures/fault/jobs.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let restoreSettings: (() => Promise<void>) | undefined;

afterAll(async () => {
  await restoreSettings?.();
  await scenario?.cleanup();
  resetConfiguration();
});

/**
 * The other side of fault-consumer-timeout.test.ts (where a plain job running past the broker's
 * consumer timeout has its channel closed and runs twice): a continuable job that runs four times
 * longer than the timeout is asked to stop before it, publishes its continuation and acks, again
 * and again, and completes without the broker ever closing the channel or redelivering it.
 * RabbitMQ 3.10 applies only the broker-wide consumer_timeout (read when a channel opens, checked
 * on the channel's tick): the test lowers both for new channels and restores them. The worker
 * learns the queue's timeout from the topology file's consumerTimeout.
 */
it('a continuable job of 4x the consumer timeout completes in continuations, never redelivered from scratch', { timeout: 180_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('long');
  restoreSettings = await changeRabbitSettings({ consumer_timeout: '6000', channel_tick_interval: '1000' });
  const topology = parseTopology([{ file: 'long.yaml', text: `queues:\n  - name: ${queue}\n    consumerTimeout: 6000\n` }]);
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  const worker = await scenario.startWorker({ queues: [queue], topology, logger, continuation: { checkpointIntervalMs: 1_000 } });
  const disconnects: Array<WorkerEvents['connection:disconnect']> = [];
  worker.events.on('connection:disconnect', (event) => disconnects.push(event));
  const redelivered: string[] = [];
  worker.events.on('job:start', (event) => {
    if (event.redelivered) redelivered.push(event.jobId ?? '?');
  });

  configure({ adapter: scenario.producer() });
  // 120 rows of 200 ms: 24 s of work on a queue whose deliveries time out after 6 s.
  const job = await StepLedgerJob.set({ queue }).performLater('long', 120, 200);
  const entries = () => scenario!.ledger().filter((entry) => entry.jobId === job.jobId);
  await waitFor(() => entries().some((entry) => entry.label === 'long:finish'), 'the long job to finish', 120_000, 200);
  await restoreSettings();
  restoreSettings = undefined;

  const rowStarts = entries().filter((entry) => entry.label.includes(':rows@'));
  const items = entries().filter((entry) => entry.label.includes(':item:'));
  const log = lines.join('');
  console.info(
    `continuable job of 24 s, consumer timeout 6 s: ${rowStarts.length} runs, starting at rows ${rowStarts.map((entry) => entry.label.split('@')[1]).join(', ')}`,
  );
  // Asked to stop at 6 s less the margin (1.2 s): at least 4 runs, each going on where the last stopped.
  expect(rowStarts.length).toBeGreaterThanOrEqual(4);
  expect(rowStarts.filter((entry) => entry.label === 'long:rows@0')).toHaveLength(1);
  expect(items.map((entry) => entry.label)).toEqual(Array.from({ length: 120 }, (_, i) => `long:item:${i}`));
  expect(entries().filter((entry) => entry.label === 'long:prepare')).toHaveLength(1);
  expect(log).toContain('"reason":"consumer-timeout"');
  expect(log).not.toMatch(/PRECONDITION_FAILED|acknowledgement on channel \d+ timed out/);
  expect(redelivered).toEqual([]);
  expect(disconnects).toEqual([]);
  await waitFor(async () => (await scenario!.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
