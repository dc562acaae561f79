import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSchedules, loadTopology, planTicks, ScheduleError, tickJobId, toSchedule, type ScheduleDefinition } from '../../../src/index.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const everyMinute = (fields: Partial<ScheduleDefinition> = {}) => toSchedule({ name: 'sync', cron: '* * * * *', job: 'SyncJob', ...fields });

describe('planTicks', () => {
  it('enqueues the ticks that came since the last one, on time', () => {
    const plan = planTicks(everyMinute(), at('2026-01-01T10:00:00Z'), at('2026-01-01T10:01:00.020Z'));
    expect(plan.enqueue.map(iso)).toEqual(['2026-01-01T10:01:00.000Z']);
    expect(plan.skipped).toBeUndefined();
    expect(plan.through).toBe(at('2026-01-01T10:01:00.020Z'));
  });

  it('enqueues nothing before the next tick, and never the last one again', () => {
    expect(planTicks(everyMinute(), at('2026-01-01T10:01:00Z'), at('2026-01-01T10:01:59Z')).enqueue).toEqual([]);
  });

  it('counts ticks up to the grace as on time whatever the policy (a takeover of a few seconds loses none)', () => {
    const perSecond = toSchedule({ name: 'p', every: '1s', job: 'J', graceMs: 10_000 });
    const plan = planTicks(perSecond, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:00:08.5Z'));
    expect(plan.enqueue).toHaveLength(8);
    expect(plan.skipped).toBeUndefined();
  });

  it("skip: leaves out ticks older than the grace (the default, Sidekiq-cron's and Solid Queue's)", () => {
    // Down from 10:00 to 13:00:30: the 13:00 tick is 30 s late (on time), the 179 before it were missed.
    const plan = planTicks(everyMinute(), at('2026-01-01T10:00:00Z'), at('2026-01-01T13:00:30Z'));
    expect(plan.enqueue.map(iso)).toEqual(['2026-01-01T13:00:00.000Z']);
    expect(plan.skipped && { after: iso(plan.skipped.after), until: iso(plan.skipped.until) }).toEqual({
      after: '2026-01-01T10:00:00.000Z',
      until: '2026-01-01T12:59:29.999Z',
    });
  });

  it('once: enqueues the latest missed tick, standing for the others', () => {
    const plan = planTicks(everyMinute({ missed: 'once' }), at('2026-01-01T10:00:00Z'), at('2026-01-01T13:00:30Z'));
    expect(plan.enqueue.map(iso)).toEqual(['2026-01-01T12:59:00.000Z', '2026-01-01T13:00:00.000Z']);
    expect(plan.skipped && iso(plan.skipped.until)).toBe('2026-01-01T12:58:59.999Z');
  });

  it('all: enqueues each missed tick up to maxCatchUp, the latest ones, oldest first', () => {
    const plan = planTicks(everyMinute({ missed: 'all', maxCatchUp: 3 }), at('2026-01-01T10:00:00Z'), at('2026-01-01T13:00:30Z'));
    expect(plan.enqueue.map(iso)).toEqual(['2026-01-01T12:57:00.000Z', '2026-01-01T12:58:00.000Z', '2026-01-01T12:59:00.000Z', '2026-01-01T13:00:00.000Z']);
    const few = planTicks(everyMinute({ missed: 'all', maxCatchUp: 10 }), at('2026-01-01T10:00:00Z'), at('2026-01-01T10:03:30Z'));
    expect(few.enqueue.map(iso)).toEqual(['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z', '2026-01-01T10:03:00.000Z']);
    expect(few.skipped).toBeUndefined();
  });

  it('finds the latest missed ticks of a week-long outage of a per-second schedule without walking all 604,800', () => {
    const perSecond = toSchedule({ name: 'p', every: '1s', job: 'J', missed: 'all', maxCatchUp: 5, graceMs: 1_000 });
    const started = process.hrtime.bigint();
    const plan = planTicks(perSecond, at('2026-01-01T00:00:00Z'), at('2026-01-08T00:00:00.500Z'));
    const tookMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(plan.enqueue.map(iso)).toEqual([
      '2026-01-07T23:59:55.000Z',
      '2026-01-07T23:59:56.000Z',
      '2026-01-07T23:59:57.000Z',
      '2026-01-07T23:59:58.000Z',
      '2026-01-07T23:59:59.000Z',
      '2026-01-08T00:00:00.000Z',
    ]);
    expect(tookMs).toBeLessThan(5_000); // a walk of every tick would be far slower; this bound is loose on purpose
  });

  it('gives each tick a job id from the schedule name and the tick time', () => {
    expect(tickJobId('nightly-report', at('2026-03-08T07:00:00Z'))).toBe('nightly-report@2026-03-08T07:00:00.000Z');
  });
});

describe('loadSchedules', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const write = async (name: string, text: string): Promise<string> => {
    dir ??= await mkdtemp(path.join(tmpdir(), 'warren-schedules-'));
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('reads the schedules: map of YAML files, and leaves a file beside the topology keys usable by both loaders', async () => {
    const file = await write(
      'app.yaml',
      [
        'queues:',
        '  - name: reports',
        'schedules:',
        '  nightly-report:',
        '    cron: "30 2 * * *"',
        '    timezone: Europe/Madrid',
        '    job: ReportJob',
        '    args: [daily, 3]',
        '    queue: reports',
        '    priority: 5',
        '    missed: once',
        '  ping:',
        '    every: 30s',
        '    job: PingJob',
      ].join('\n'),
    );
    const schedules = await loadSchedules([file]);
    expect(
      schedules.map((schedule) => [schedule.name, schedule.describe, schedule.job, schedule.args, schedule.queue, schedule.priority, schedule.missed]),
    ).toEqual([
      ['nightly-report', 'cron "30 2 * * *" (Europe/Madrid)', 'ReportJob', ['daily', 3], 'reports', 5, 'once'],
      ['ping', 'every 30s', 'PingJob', [], undefined, undefined, 'skip'],
    ]);
    const topology = await loadTopology([file]);
    expect(topology.queues.some((queue) => queue.name === 'reports')).toBe(true);
  });

  it('reads a directory, and a file without schedules adds none', async () => {
    await write('a.yaml', 'schedules:\n  one:\n    every: 1m\n    job: J\n');
    await write('b.json', JSON.stringify({ queues: [{ name: 'x' }] }));
    expect((await loadSchedules([dir as string])).map((schedule) => schedule.name)).toEqual(['one']);
  });

  it('names the file and the schedule of a problem', async () => {
    const file = await write('bad.yaml', 'schedules:\n  report:\n    cron: "99 * * * *"\n    job: J\n');
    await expect(loadSchedules([file])).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: schedule "report": cron`));
    const typo = await write('typo.yaml', 'schedules:\n  report:\n    cron: "@daily"\n    job: J\n    timeZone: UTC\n');
    await expect(loadSchedules([typo])).rejects.toThrow(/schedules\.report: unknown key "timeZone"/);
  });

  it('refuses one name in two files', async () => {
    const one = await write('one.yaml', 'schedules:\n  report:\n    every: 1m\n    job: J\n');
    const two = await write('two.yaml', 'schedules:\n  report:\n    every: 2m\n    job: J\n');
    await expect(loadSchedules([one, two])).rejects.toBeInstanceOf(ScheduleError);
    await expect(loadSchedules([one, two])).rejects.toThrow(/declared in .*one\.yaml and in .*two\.yaml/);
  });

  it('says so for a missing file', async () => {
    await expect(loadSchedules(['/nonexistent/schedules.yaml'])).rejects.toThrow(/no such file or directory/);
  });
});

describe('planTicks bounds', () => {
  it('takes at most 1000 on-time ticks per plan and leaves the rest to the next one, none lost', () => {
    const perSecond = toSchedule({ name: 'p', every: '1s', job: 'J', graceMs: 3_600_000 });
    const now = at('2026-01-01T01:00:00Z');
    const first = planTicks(perSecond, at('2026-01-01T00:30:00Z'), now);
    expect(first.enqueue).toHaveLength(1_000);
    expect(first.through).toBe(first.enqueue.at(-1));
    const second = planTicks(perSecond, first.through, now);
    expect(second.enqueue[0]).toBe(first.through + 1_000);
    expect(first.enqueue.length + second.enqueue.length).toBe(1_800);
  });

  it('refuses a maxCatchUp or a grace that would turn an outage into an unbounded burst', () => {
    expect(() => toSchedule({ name: 'm', every: '1s', job: 'J', missed: 'all', maxCatchUp: 1_000_000 })).toThrow(
      /maxCatchUp must be a whole number from 1 to 10000/,
    );
    expect(() => toSchedule({ name: 'g', every: '1s', job: 'J', graceMs: 7 * 86_400_000 })).toThrow(/graceMs must be .* from 1000 to 86400000/);
  });
});
