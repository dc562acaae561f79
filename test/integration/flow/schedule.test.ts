// Recurring jobs with one leader, on the broker: three worker processes given the same per-second
// schedule elect one leader; it is killed with -9 and another takes over within seconds; every tick
// from the first to the last is enqueued exactly once (a separate worker, never killed, performs
// the tick jobs, so what it performs is what was enqueued). Missed-tick policies after an outage
// of every worker.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, inject, it } from 'vitest';
import { HandlerWorker, type ScheduleDefinition, type Worker } from '../../../src/index.js';
import { WorkerMonitor } from '../../../src/rabbitmq.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import type { FaultWorkerProcess } from '../../fixtures/fault/processes.js';
import { ScheduleSetup } from '../../fixtures/schedule/tick-ledger.js';
import { killAllChildren, runCli, spawnCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');
let scenario: FaultScenario | undefined;
let setup: ScheduleSetup | undefined;

afterEach(async () => {
  await killAllChildren();
  await setup?.cleanup();
  setup = undefined;
  await scenario?.cleanup();
  scenario = undefined;
  resetConfiguration();
});

const leaderOf = (workers: readonly FaultWorkerProcess[]): FaultWorkerProcess | undefined =>
  workers.find((worker) => {
    const changes = worker.eventsNamed('scheduler:leadership');
    return worker.exit === undefined && changes.at(-1)?.payload.leading === true;
  });

it('three workers, one leader; the leader killed with -9: another takes over, and every tick is enqueued exactly once', { timeout: 120_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const ticksQueue = scenario.queue('ticks');
  const idle = scenario.queue('idle');
  setup = new ScheduleSetup(scenario, [{ name: 'every-second', every: '1s', job: 'FaultLedgerJob', args: ['tick'], queue: ticksQueue, graceMs: 30_000 }]);
  // The tick jobs are performed here (never killed): each enqueued copy is performed once.
  await scenario.startWorker({ queues: [ticksQueue], concurrency: 4 });
  const workers = [0, 1, 2].map(() => scenario!.spawnWorker([idle], setup!.env));
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  await waitFor(() => leaderOf(workers) !== undefined, 'a leader', 20_000);
  const first = leaderOf(workers)!;
  await waitFor(() => setup!.count('every-second', 1_000).ticks.length >= 4, 'four ticks performed', 20_000);
  // Exactly one of the three leads.
  expect(workers.filter((worker) => worker.eventsNamed('scheduler:leadership').some((event) => event.payload.leading === true))).toEqual([first]);

  first.kill('SIGKILL');
  await first.exited;
  const killedAt = Date.now();
  await waitFor(() => leaderOf(workers) !== undefined, 'a new leader after the kill', 20_000);
  const second = leaderOf(workers)!;
  expect(second).not.toBe(first);
  const tookOverMs = second.eventsNamed('scheduler:leadership').at(-1)!.at - killedAt;
  expect(tookOverMs).toBeLessThan(15_000); // DEFAULTS.schedule.leaderPollMs is 2 s; generous for a busy machine
  const before = setup.count('every-second', 1_000).ticks.length;
  await waitFor(() => setup!.count('every-second', 1_000).ticks.length >= before + 4, 'four more ticks after the takeover', 20_000);

  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exited));
  await sleep(500); // the last tick jobs performed
  const count = setup.count('every-second', 1_000);
  expect(count.duplicates).toEqual({});
  expect(count.gaps).toEqual([]); // the ticks of the takeover were enqueued late, within the grace
  expect(count.ticks.length).toBeGreaterThanOrEqual(8);
  // The record holds the last tick enqueued; the leader queue went with the last leader.
  expect(await scenario.probe.messageCount(setup.recordQueue('every-second'))).toBe(1);
  expect(await scenario.probe.queueExists(setup.leaderQueue)).toBe(false);
  expect(await scenario.takeDeadLetters()).toEqual([]);
});

/** Runs a per-second schedule on an in-process worker, stops it for `outageMs`, starts it again, and returns the skipped event and the ticks performed. */
async function outage(missed: ScheduleDefinition['missed'], outageMs: number) {
  scenario = await FaultScenario.open(url);
  const ticksQueue = scenario.queue('ticks');
  setup = new ScheduleSetup(scenario, [
    { name: 'catch-up', every: '1s', job: 'FaultLedgerJob', args: ['tick'], queue: ticksQueue, graceMs: 1_000, missed, maxCatchUp: 3 },
  ]);
  const options = { queues: [ticksQueue], schedules: setup.definitions, schedulerGroup: setup.group };
  const first: Worker = await scenario.startWorker(options);
  await waitFor(() => setup!.count('catch-up', 1_000).ticks.length >= 2, 'two ticks', 20_000);
  await first.stop();
  const lastBefore = Math.max(...setup.count('catch-up', 1_000).ticks);
  await sleep(outageMs);
  const second = await scenario.startWorker(options);
  const skipped = new Promise<{ after: string; until: string }>((resolve) => second.events.once('schedule:skipped', resolve));
  await waitFor(() => setup!.count('catch-up', 1_000).ticks.some((tick) => tick > lastBefore + outageMs), 'a tick after the outage', 20_000);
  const event = await skipped;
  await second.stop();
  const after = setup.count('catch-up', 1_000).ticks.filter((tick) => tick > lastBefore);
  return { lastBefore, event, after, count: setup.count('catch-up', 1_000) };
}

it("missed: 'skip' leaves out the ticks of an outage longer than the grace, and says which", { timeout: 60_000 }, async () => {
  const { lastBefore, event, after, count } = await outage('skip', 6_000);
  expect(Date.parse(event.after)).toBe(lastBefore);
  const firstAfter = after[0] as number;
  expect(firstAfter).toBeGreaterThan(Date.parse(event.until)); // nothing of the skipped range was enqueued
  expect(firstAfter - lastBefore).toBeGreaterThanOrEqual(6_000);
  expect(count.duplicates).toEqual({});
});

it("missed: 'once' enqueues the latest missed tick; 'all' the latest maxCatchUp of them", { timeout: 90_000 }, async () => {
  const once = await outage('once', 6_000);
  // One missed tick right after the skipped range, then the on-time ones.
  expect(once.after[0]).toBe(Date.parse(once.event.until) + 1);
  expect(once.after[1]! - once.after[0]!).toBeGreaterThanOrEqual(1_000);
  expect(once.count.duplicates).toEqual({});
  await setup?.cleanup();
  await scenario?.cleanup();

  const all = await outage('all', 6_000);
  const caughtUp = all.after.slice(0, 3);
  expect(caughtUp[0]).toBe(Date.parse(all.event.until) + 1);
  expect([caughtUp[1]! - caughtUp[0]!, caughtUp[2]! - caughtUp[1]!]).toEqual([1_000, 1_000]);
  expect(all.count.duplicates).toEqual({});
});

it('warren worker --schedule runs a schedule file; warren schedule list --broker shows the leader and the last tick, plan the next runs', {
  timeout: 90_000,
}, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('cli');
  const dir = mkdtempSync(join(tmpdir(), 'warren-schedule-cli-'));
  try {
    const file = join(dir, 'schedule.yaml');
    writeFileSync(file, ['schedules:', '  cli-ticks:', '    every: 1s', '    job: RecordJob', '    args: [tick]', `    queue: ${queue}`, ''].join('\n'));
    setup = new ScheduleSetup(scenario, [{ name: 'cli-ticks', every: '1s', job: 'RecordJob' }]);
    const env = { AMQP_URL: url };
    const worker = spawnCli(['worker', '--require', 'test/fixtures/jobs.ts', '--queue', queue, '--schedule', file, '--scheduler-group', setup.group], env);
    await waitFor(
      () => worker.reports.filter((report) => report.label === 'tick' && report.event === 'performed').length >= 2,
      'two ticks performed by the CLI worker',
      30_000,
    );

    const listed = await runCli(['schedule', 'list', '--schedule', file, '--broker', '--group', setup.group, '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const state = JSON.parse(listed.stdout) as { leader: boolean; schedules: { name: string; last: string; next: string; when: string }[] };
    expect(state.leader).toBe(true);
    expect(state.schedules[0]).toMatchObject({ name: 'cli-ticks', when: 'every 1s' });
    expect(Date.now() - Date.parse(state.schedules[0]!.last)).toBeLessThan(30_000);
    expect(Date.parse(state.schedules[0]!.next) - Date.parse(state.schedules[0]!.last)).toBeGreaterThanOrEqual(1_000);

    const planned = await runCli(['schedule', 'plan', '--schedule', file, '--from', '2026-01-01T00:00:00.500Z', '--count', '2', '--json'], env);
    expect(JSON.parse(planned.stdout)).toEqual([{ name: 'cli-ticks', runs: ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z'] }]);

    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    const after = JSON.parse((await runCli(['schedule', 'list', '--schedule', file, '--broker', '--group', setup.group, '--json'], env)).stdout) as {
      leader: boolean;
    };
    expect(after.leader).toBe(false);

    const unregistered = await runCli(['schedule', 'list', '--schedule', file, '--require', 'test/fixtures/queued-jobs.ts'], env);
    expect(unregistered.code).toBe(2);
    expect(unregistered.stderr).toContain('schedule "cli-ticks": job "RecordJob" is not registered');
    writeFileSync(join(dir, 'bad.yaml'), 'schedules:\n  broken:\n    cron: "not cron"\n    job: RecordJob\n');
    const bad = await runCli(['schedule', 'plan', '--schedule', join(dir, 'bad.yaml')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml: schedule "broken": cron "not cron" is not valid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('named handlers: a HandlerWorker given schedules enqueues its handler by name with the args hash', { timeout: 60_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('handler');
  setup = new ScheduleSetup(scenario, [{ name: 'handler-ticks', every: '1s', job: 'ping_service', args: [{ service: 'billing' }] }]);
  const calls: { args: unknown; jobId: string }[] = [];
  const worker = new HandlerWorker({ url, schedules: setup.definitions, schedulerGroup: setup.group, handleSignals: false, presence: false });
  worker.register('ping_service', async (args, context) => void calls.push({ args, jobId: context.jobId }), { queue });
  try {
    await worker.start();
    await waitFor(() => calls.length >= 2, 'two ticks of the handler', 20_000);
  } finally {
    await worker.stop();
  }
  expect(calls[0]!.args).toEqual({ service: 'billing' });
  expect(calls.every((call) => /^handler-ticks@\d{4}-/.test(call.jobId))).toBe(true);
  expect(new Set(calls.map((call) => call.jobId)).size).toBe(calls.length);
});

it('heartbeats say which worker leads the schedules: warren workers shows one leader and the others on standby', { timeout: 60_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('seen');
  setup = new ScheduleSetup(scenario, [{ name: 'seen', every: '1m', job: 'FaultLedgerJob', args: ['tick'], queue }]);
  const options = { queues: [queue], schedules: setup.definitions, schedulerGroup: setup.group, presence: { heartbeatIntervalMs: 500 } };
  const workers = [await scenario.startWorker(options), await scenario.startWorker(options)];
  await waitFor(() => workers.some((worker) => worker.schedulerLeader), 'a leader', 20_000);
  const monitor = await WorkerMonitor.open({ url });
  try {
    const ours = async () => (await monitor.workers({ refresh: true })).filter((beat) => workers.some((worker) => worker.id === beat.id));
    await waitFor(
      async () => (await ours()).filter((beat) => beat.scheduler?.leader).length === 1 && (await ours()).length === 2,
      'heartbeats of one leader and one standby',
      20_000,
    );
    const beats = await ours();
    const leader = beats.find((beat) => beat.scheduler?.leader)!;
    expect(leader.id).toBe(workers.find((worker) => worker.schedulerLeader)!.id);
    expect(beats.map((beat) => beat.scheduler?.group)).toEqual([setup.group, setup.group]);
    const listed = await runCli(['workers', 'list'], { AMQP_URL: url });
    expect(listed.stdout).toContain(`schedules: leader of ${setup.group}`);
    expect(listed.stdout).toContain(`schedules: standby of ${setup.group}`);
  } finally {
    await monitor.close();
  }
});

it('a tick is announced as any enqueue: job:enqueued on the adapter, with the tick id', { timeout: 60_000 }, async () => {
  scenario = await FaultScenario.open(url);
  const queue = scenario.queue('announced');
  setup = new ScheduleSetup(scenario, [{ name: 'announced', every: '1s', job: 'FaultLedgerJob', args: ['tick'], queue }]);
  const adapter = scenario.producer();
  const enqueued: string[] = [];
  adapter.events.on('job:enqueued', ({ jobId, queue: to }) => {
    if (to === queue) enqueued.push(jobId);
  });
  await scenario.startWorker({ queues: [queue], adapter, schedules: setup.definitions, schedulerGroup: setup.group });
  await waitFor(() => enqueued.length >= 2, 'two ticks announced', 20_000);
  expect(enqueued.every((id) => /^announced@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(id))).toBe(true);
  await waitFor(() => setup!.count('announced', 1_000).ticks.length >= 2, 'the announced ticks performed', 20_000);
});
