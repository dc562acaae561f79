// Continuable jobs across worker processes: a job of three steps (StepLedgerJob: prepare, rows,
// finish) stopped by SIGTERM in the middle of its second step goes on in another process at the
// same cursor; one whose process is SIGKILLed mid-step goes on from its last saved checkpoint.
import { expect, inject, it } from 'vitest';
import { configure } from '../../../src/index.js';
import { CheckpointQueues } from '../../../src/amqp/checkpoint-queues.js';
import { StepLedgerJob } from '../../fixtures/fault/jobs.js';
import type { LedgerEntry } from '../../fixtures/fault/ledger.js';
import { useFaultScenario } from '../../fixtures/fault/use-scenario.js';
import { waitFor } from '../../support/wait.js';

const scenarios = useFaultScenario(inject('amqpUrl'));

const ROWS = 40;

/** What the ledger says about one job: items done (with how often), where each run began its rows step, prepare and finish counts. */
function summary(entries: LedgerEntry[], label: string) {
  const mine = entries.filter((entry) => entry.label.startsWith(`${label}:`));
  const items = new Map<number, LedgerEntry[]>();
  for (const entry of mine) {
    const match = /:item:(\d+)$/.exec(entry.label);
    if (match) items.set(Number(match[1]), [...(items.get(Number(match[1])) ?? []), entry]);
  }
  return {
    items,
    rowStarts: mine.filter((entry) => entry.label.includes(':rows@')).map((entry) => ({ cursor: Number(entry.label.split('@')[1]), pid: entry.pid })),
    prepares: mine.filter((entry) => entry.label.endsWith(':prepare')).length,
    finishes: mine.filter((entry) => entry.label.endsWith(':finish')),
  };
}

it('SIGTERM in the middle of step two: the continuation is published, and another process resumes at the same cursor; no item runs twice', {
  timeout: 120_000,
}, async () => {
  const scenario = await scenarios.open();
  const queue = scenario.queue('steps');
  configure({ adapter: scenario.producer() });
  const first = scenario.spawnWorker([queue]);
  await first.waitUntilReady();
  const job = await StepLedgerJob.set({ queue }).performLater('term', ROWS, 100);

  const done = () => summary(scenario.ledger(), 'term').items.size;
  await waitFor(() => done() >= 10, 'ten rows done in the first process', 60_000, 20);
  first.kill('SIGTERM');
  const exit = await first.exited;
  expect(exit, 'the first worker stops gracefully').toEqual({ code: 0, signal: null });
  const cursorAtStop = done();
  expect(cursorAtStop).toBeLessThan(ROWS);

  const second = scenario.spawnWorker([queue]);
  await second.waitUntilReady();
  await waitFor(() => summary(scenario.ledger(), 'term').finishes.length > 0, 'the job to finish in the second process', 60_000);

  const result = summary(scenario.ledger(), 'term');
  expect(result.rowStarts).toEqual([
    { cursor: 0, pid: first.pid },
    { cursor: cursorAtStop, pid: second.pid },
  ]);
  expect(result.prepares, 'the completed first step is not run again').toBe(1);
  expect([...result.items.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  for (const [item, runs] of result.items) expect(runs.length, `item ${item} runs once`).toBe(1);
  expect(result.finishes.map((entry) => entry.pid)).toEqual([second.pid]);
  // One job id throughout; the second run is the job's second execution.
  expect(result.finishes[0]?.jobId).toBe(job.jobId);
  expect(result.finishes[0]?.executions).toBe(2);
  await waitFor(async () => (await scenario.probe.messageCount(queue)) === 0, 'an empty queue');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

it('kill -9 mid-step: the redelivered job resumes from the last saved checkpoint, repeats at most the rows since, and its checkpoint queue is deleted at the end', {
  timeout: 120_000,
}, async () => {
  const scenario = await scenarios.open();
  const queue = scenario.queue('killed');
  configure({ adapter: scenario.producer() });
  // Progress is saved at most every 500 ms: items take 100 ms, so at most about 5 are repeated.
  const env = { WARREN_FAULT_CHECKPOINT_MS: '500' };
  const first = scenario.spawnWorker([queue], env);
  await first.waitUntilReady();
  const job = await StepLedgerJob.set({ queue }).performLater('kill', ROWS, 100);
  const checkpointQueue = CheckpointQueues.queueName(job.jobId, 0);

  await waitFor(() => summary(scenario.ledger(), 'kill').items.size >= 15, 'fifteen rows done before the kill', 60_000, 20);
  first.kill('SIGKILL');
  await first.exited;
  const doneByFirst = summary(scenario.ledger(), 'kill').items.size;
  expect(await scenario.probe.queueExists(checkpointQueue), 'the checkpoint queue of the message').toBe(true);

  const second = scenario.spawnWorker([queue], env);
  await second.waitUntilReady();
  await waitFor(() => summary(scenario.ledger(), 'kill').finishes.length > 0, 'the job to finish in the second process', 60_000);

  const result = summary(scenario.ledger(), 'kill');
  const resumedAt = result.rowStarts.find((start) => start.pid === second.pid)?.cursor;
  console.info(`kill -9 after ${doneByFirst} rows: resumed at row ${resumedAt}, ${doneByFirst - (resumedAt ?? 0)} rows repeated`);
  expect(resumedAt, 'resumed from a checkpoint, not from scratch').toBeGreaterThan(0);
  expect(resumedAt).toBeLessThanOrEqual(doneByFirst);
  // Repeated work is bounded by the checkpoint interval (500 ms of 100 ms rows), with slack for a busy machine.
  expect(doneByFirst - resumedAt!).toBeLessThanOrEqual(10);
  expect(result.prepares, 'prepare completed before the checkpoint: not run again').toBe(1);
  for (let item = 0; item < ROWS; item += 1) {
    const runs = result.items.get(item)?.length ?? 0;
    expect(runs, `item ${item}`).toBe(item >= resumedAt! && item < doneByFirst ? 2 : 1);
  }
  expect(result.finishes.map((entry) => entry.pid)).toEqual([second.pid]);
  await waitFor(async () => !(await scenario.probe.queueExists(checkpointQueue)), 'the checkpoint queue to be deleted once the job is done');
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
