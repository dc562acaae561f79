// A paused queue stays paused across faults: after close_all_connections and after a broker
// restart the workers reconnect and read the marker before they subscribe, so no job of the
// paused queue runs; resumed, every job that waited runs once. Nothing is lost, no marker leaks.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, inject, it } from 'vitest';
import { configure, performAllLater } from '../../src/index.js';
import { pauseMarkerName } from '../../src/amqp/queue-pauses.js';
import { WorkerMonitor } from '../../src/rabbitmq.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { closeAllConnections, ensureBrokerRunning, restartBrokerApp } from '../fixtures/fault/broker-admin.js';
import { LedgerJob } from '../fixtures/fault/jobs.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let monitor: WorkerMonitor | undefined;
let queue = '';

afterAll(async () => {
  await ensureBrokerRunning();
  await monitor?.close();
  if (scenario) await scenario.reconnectProbe().catch(() => {});
  await scenario?.probe.deleteQueues([pauseMarkerName(queue)]).catch(() => {});
  await scenario?.cleanup();
  resetConfiguration();
});

it('a paused queue stays paused through close_all_connections and a broker restart; resumed, its jobs run once each', { timeout: 240_000 }, async () => {
  scenario = await FaultScenario.open(url);
  queue = scenario.queue('paused');
  configure({ adapter: scenario.producer() });
  const workers = [scenario.spawnWorker([queue]), scenario.spawnWorker([queue])];
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  monitor = await WorkerMonitor.open({ url });
  await monitor.pause(queue);
  await sleep(500);
  const jobs = Array.from({ length: 20 }, (_, i) => LedgerJob.set({ queue }).build(`held-${i}`));
  expect(await performAllLater(jobs)).toBe(20);
  const performed = () => scenario!.ledger().filter((entry) => entry.event === 'performed' && entry.label.startsWith('held-'));
  const reconnects = (worker: (typeof workers)[number]) => worker.eventsNamed('connection:connect').length;

  const before = workers.map(reconnects);
  await closeAllConnections();
  await waitFor(() => workers.every((worker, i) => reconnects(worker) > before[i]!), 'both workers to reconnect after close_all_connections', 60_000);
  await sleep(2_000);
  expect(performed()).toEqual([]);

  const beforeRestart = workers.map(reconnects);
  await restartBrokerApp(2_000);
  await waitFor(() => workers.every((worker, i) => reconnects(worker) > beforeRestart[i]!), 'both workers to reconnect after the restart', 90_000);
  await sleep(2_000);
  expect(performed()).toEqual([]);
  await scenario.reconnectProbe();
  expect(await scenario.probe.queueExists(pauseMarkerName(queue)), 'the durable marker survived the restart').toBe(true);
  expect(await scenario.probe.messageCount(queue)).toBe(20);

  await monitor.close();
  monitor = await WorkerMonitor.open({ url });
  await monitor.resume(queue);
  const count = await scenario.waitUntilPerformed(
    jobs.map((job) => job.jobId),
    60_000,
  );
  expect(count.lost).toEqual([]);
  expect(count.duplicates).toBe(0);
  expect(await scenario.probe.queueExists(pauseMarkerName(queue))).toBe(false);
  expect(await scenario.takeDeadLetters()).toEqual([]);
});
