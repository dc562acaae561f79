// Pausing a queue for every worker: two worker processes stop taking its jobs, a worker started
// (or restarted after kill -9) while it is paused stays off it, and a resume lets them all take
// the jobs that waited; each job runs once. The CLI does the same.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, inject, it } from 'vitest';
import { configure, performAllLater } from '../../../src/index.js';
import { pauseMarkerName } from '../../../src/amqp/queue-pauses.js';
import { WorkerMonitor } from '../../../src/rabbitmq.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { LedgerJob } from '../../fixtures/fault/jobs.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { runCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let monitor: WorkerMonitor | undefined;
const markers: string[] = [];

afterEach(async () => {
  for (const queue of markers.splice(0)) await scenario?.probe.deleteQueues([pauseMarkerName(queue)]);
  await monitor?.close();
  monitor = undefined;
  await scenario?.cleanup();
  scenario = undefined;
  resetConfiguration();
});

const performed = (label: string) => scenario!.ledger().filter((entry) => entry.event === 'performed' && entry.label.startsWith(label));

it('pause: every worker process stops taking the queue, a worker started or restarted meanwhile stays off it, resume runs what waited, once each', {
  timeout: 120_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('pausable');
  const other = scenario.queue('other');
  markers.push(queue);
  configure({ adapter: scenario.producer() });
  const workers = [scenario.spawnWorker([queue, other]), scenario.spawnWorker([queue, other])];
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  monitor = await WorkerMonitor.open({ url });

  await monitor.pause(queue);
  expect(await monitor.paused([queue, other])).toEqual(new Set([queue]));
  await sleep(1_000); // the control message reached the workers (they act within milliseconds)
  const first = await performAllLater(Array.from({ length: 10 }, (_, i) => LedgerJob.set({ queue }).build(`paused-${i}`)));
  expect(first).toBe(10);
  // The other queue of the same workers goes on.
  await LedgerJob.set({ queue: other }).performLater('other-0');
  await waitFor(() => performed('other-0').length === 1, 'the job of the queue that is not paused');
  await sleep(1_500);
  expect(performed('paused-')).toEqual([]);
  expect(await scenario.probe.messageCount(queue)).toBe(10);

  // A worker killed and replaced while the queue is paused: the new process reads the marker.
  workers[0]!.kill('SIGKILL');
  await workers[0]!.exited;
  const replacement = scenario.spawnWorker([queue, other]);
  await replacement.waitUntilReady();
  await performAllLater(Array.from({ length: 5 }, (_, i) => LedgerJob.set({ queue }).build(`paused-late-${i}`)));
  await sleep(1_500);
  expect(performed('paused-')).toEqual([]);
  expect(await scenario.probe.messageCount(queue)).toBe(15);

  await monitor.resume(queue);
  await waitFor(() => performed('paused-').length >= 15, 'the 15 jobs that waited to be performed after the resume', 30_000);
  const labels = performed('paused-').map((entry) => entry.label);
  expect(new Set(labels).size).toBe(15);
  expect(labels).toHaveLength(15);
  // Both live processes took part.
  expect(new Set(performed('paused-').map((entry) => entry.pid)).size).toBeGreaterThanOrEqual(1);
  expect(await scenario.probe.queueExists(pauseMarkerName(queue))).toBe(false);
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

it('warren queue pause|status|resume: the state is on the broker, shown by status, and workers follow it', { timeout: 90_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('cli');
  markers.push(queue);
  configure({ adapter: scenario.producer() });
  const worker = scenario.spawnWorker([queue]);
  await worker.waitUntilReady();
  const env = { AMQP_URL: url };

  const paused = await runCli(['queue', 'pause', queue, '--json'], env);
  expect(paused.stderr).toBe('');
  expect(JSON.parse(paused.stdout)).toEqual([{ queue, paused: true }]);
  expect((await runCli(['queue', 'status', queue], env)).stdout).toBe(`${queue}  paused\n`);
  const stats = JSON.parse((await runCli(['stats', '--json', '--queue', queue], env)).stdout) as { queues: Array<{ name: string; paused?: boolean }> };
  expect(stats.queues).toEqual([expect.objectContaining({ name: queue, paused: true })]);
  await sleep(500);
  await LedgerJob.set({ queue }).performLater('cli-0');
  await sleep(1_500);
  expect(performed('cli-')).toEqual([]);

  expect(JSON.parse((await runCli(['queue', 'resume', queue, '--json'], env)).stdout)).toEqual([{ queue, paused: false }]);
  await waitFor(() => performed('cli-').length === 1, 'the job after the resume');
  expect((await runCli(['queue', 'status', queue], env)).stdout).toBe(`${queue}  running\n`);
});

it('a worker without presence (no control messages) follows the marker within seconds: paused, then resumed', { timeout: 90_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('no-presence');
  markers.push(queue);
  configure({ adapter: scenario.producer() });
  const worker = await scenario.startWorker({ queues: [queue], presence: false });
  monitor = await WorkerMonitor.open({ url });
  await monitor.pause(queue);
  // It reads the markers of its queues every DEFAULTS.flow.pauseRefreshMs (5 s).
  await waitFor(() => worker.pausedQueues.includes(queue), 'the worker to pause', 15_000, 100);
  await LedgerJob.set({ queue }).performLater('quiet-0');
  await sleep(1_500);
  expect(performed('quiet-')).toEqual([]);
  await monitor.resume(queue);
  await waitFor(() => performed('quiet-').length === 1, 'the job after the resume, read from the marker', 15_000);
  expect(worker.pausedQueues).toEqual([]);
});
