// Recurring jobs across faults (issue 18): three worker processes share a per-second schedule;
// the leader is killed with -9, then every connection is closed, then the broker restarts. A new
// leader takes over each time, and every tick from the first to the last is enqueued exactly once:
// the tick jobs wait in a queue nobody consumes (durable, persistent), and are counted there by id
// at the end, so a delivery redelivered by a fault cannot blur the count of what was enqueued.
import { afterAll, expect, inject, it } from 'vitest';
import { closeAllConnections, ensureBrokerRunning, restartBrokerApp } from '../fixtures/fault/broker-admin.js';
import type { FaultWorkerProcess } from '../fixtures/fault/processes.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { ScheduleSetup } from '../fixtures/schedule/tick-ledger.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let setup: ScheduleSetup | undefined;

afterAll(async () => {
  await ensureBrokerRunning();
  if (scenario) await scenario.reconnectProbe().catch(() => {});
  await setup?.cleanup();
  await scenario?.cleanup();
});

const leading = (worker: FaultWorkerProcess): boolean =>
  worker.exit === undefined && worker.eventsNamed('scheduler:leadership').at(-1)?.payload.leading === true;
const enqueued = (workers: readonly FaultWorkerProcess[]): number => workers.reduce((sum, worker) => sum + worker.eventsNamed('schedule:enqueued').length, 0);

it('kill -9 of the leader, close_all_connections, a broker restart: every tick enqueued exactly once', { timeout: 300_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const ticksQueue = scenario.queue('ticks');
  const idle = scenario.queue('idle');
  setup = new ScheduleSetup(scenario, [{ name: 'every-second', every: '1s', job: 'FaultLedgerJob', args: ['tick'], queue: ticksQueue }]);
  const workers = [0, 1, 2].map(() => scenario!.spawnWorker([idle], setup!.env));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const takeovers = (): number =>
    workers.reduce((sum, worker) => sum + worker.eventsNamed('scheduler:leadership').filter((event) => event.payload.leading === true).length, 0);
  let seen = 0;
  /** Waits for a leadership taken after the last one seen (the fault ended the one before), held by one worker. */
  const leaderAfter = async (what: string): Promise<FaultWorkerProcess> => {
    await waitFor(() => takeovers() > seen && workers.filter(leading).length === 1, `a new leader ${what}`, 90_000);
    seen = takeovers();
    return workers.find(leading)!;
  };
  const ticksAfter = async (what: string): Promise<void> => {
    const before = enqueued(workers);
    await waitFor(() => enqueued(workers) >= before + 3, `three ticks enqueued ${what}`, 90_000);
  };

  const first = await leaderAfter('at start');
  await ticksAfter('at start');
  first.kill('SIGKILL');
  await first.exited;
  expect(await leaderAfter('after the kill')).not.toBe(first);
  await ticksAfter('after the kill');

  await closeAllConnections();
  await leaderAfter('after close_all_connections');
  await ticksAfter('after close_all_connections');

  await restartBrokerApp(2_000);
  await leaderAfter('after the broker restart');
  await ticksAfter('after the broker restart');

  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await scenario.reconnectProbe();
  const ids: string[] = [];
  for (;;) {
    const message = await scenario.probe.get(ticksQueue);
    if (!message) break;
    ids.push(String(message.properties.messageId));
  }
  const times = ids.map((id) => Date.parse(id.slice('every-second@'.length))).sort((a, b) => a - b);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  const gaps: string[] = [];
  for (let i = 1; i < times.length; i += 1) {
    for (let t = times[i - 1]! + 1_000; t < times[i]!; t += 1_000) gaps.push(new Date(t).toISOString());
  }
  expect(duplicates).toEqual([]);
  // Ticks the outages made late were enqueued late (within the 60 s grace), none left out.
  expect(gaps).toEqual([]);
  expect(ids.length).toBeGreaterThanOrEqual(12);
  // What the leaders said they enqueued is what the queue holds (the killed leader's events included).
  expect(ids.length).toBe(enqueued(workers));
  expect(await scenario.probe.messageCount(setup.recordQueue('every-second'))).toBe(1);
});
