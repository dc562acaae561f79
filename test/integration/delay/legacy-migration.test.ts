// Upgrading from warren 0.1: jobs waiting in the old classic ladder are found by `warren delays
// status` and `warren topology verify`, moved by `warren delays migrate` into the quorum ladder
// with their due times, and performed when due (none early, none lost); `--delete` removes the
// old ladder.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DelayLadder } from '../../../src/index.js';
import { runCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { DelayFixture } from './delay-fixture.js';
import { recordedRuns, resetRuns, TimedJob } from './delay-jobs.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');
// The CLI declares the default 36 levels; the test's ladders use the same.
const LEVELS = 36;

describe("migrating from warren 0.1's classic delay ladder", { timeout: 120_000 }, () => {
  let fixture: DelayFixture;
  let legacy: DelayLadder;
  let legacyProducer: AmqpAdapter;

  beforeEach(async () => {
    fixture = await DelayFixture.open(url, { levels: LEVELS });
    legacy = new DelayLadder({ prefix: fixture.ladder.options.prefix, levels: LEVELS, deadLetterQueue: fixture.deadLetterQueue, queueType: 'classic' });
    legacyProducer = new AmqpAdapter({ url, delays: legacy });
    configure({ adapter: legacyProducer });
    resetRuns();
  });

  afterEach(async () => {
    await fixture.stopWorkers();
    await legacyProducer.close();
    resetConfiguration();
    await fixture.probe.deleteQueues(legacy.queueNames());
    await fixture.probe.deleteExchanges(legacy.exchangeNames());
    await fixture.cleanup();
  });

  it('status and verify report the old ladder; migrate moves its jobs (due times kept) and --delete removes it', async () => {
    const queue = fixture.queue('jobs');
    const count = 40;
    for (let i = 0; i < count; i += 1) {
      const dueAt = Date.now() + 8_000 + i * 100;
      await TimedJob.set({ queue, waitUntil: dueAt }).performLater(`job-${i}`, dueAt);
    }
    const hourDue = Date.now() + 3_600_000;
    await TimedJob.set({ queue, waitUntil: hourDue }).performLater('hour', hourDue);
    const env = { AMQP_URL: url };
    const flags = ['--delay-prefix', fixture.ladder.options.prefix, '--dead-letter-queue', fixture.deadLetterQueue];

    const status = await runCli(['delays', 'status', ...flags], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/classic delay ladder is still on the broker .*delayed job\(s\) waiting/);
    expect(status.stdout).toContain('warren delays migrate');
    const verify = await runCli(['topology', 'verify', ...flags], env);
    expect(verify.stdout).toMatch(/classic delay ladder is still on the broker/);

    const migrated = await runCli(['delays', 'migrate', '--delete', ...flags], env);
    expect(migrated.stderr).not.toMatch(/error/i);
    expect(migrated.code).toBe(0);
    // Jobs that fell due meanwhile went to their queue the old way (the old ladder keeps draining); the rest moved.
    const moved = Number(/(\d+) delayed job\(s\) moved into the quorum ladder/.exec(migrated.stdout)?.[1]);
    expect(moved).toBeGreaterThanOrEqual(1);
    expect(moved).toBeLessThanOrEqual(count + 1);
    for (const name of legacy.queueNames()) expect(await fixture.probe.queueExists(name)).toBe(false);
    expect((await runCli(['delays', 'status', ...flags], env)).stdout).toMatch(/no classic delay ladder/);

    await fixture.startWorker({ queues: [queue], concurrency: 10 });
    await waitFor(() => recordedRuns().length === count, `${count} migrated jobs performed`, 30_000);
    expect(recordedRuns().filter((run) => run.at < run.dueAt)).toEqual([]);
    expect(new Set(recordedRuns().map((run) => run.label)).size).toBe(count);
    // The one-hour job waits in the quorum ladder, not in its queue.
    expect(await fixture.waitingInLadder()).toBe(1);
    expect(await fixture.probe.messageCount(queue)).toBe(0);
  });
});
