import { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULTS } from '../../config/defaults.js';
import { ticksIn, loadSchedules, type Schedule } from '../../schedule/index.js';
import { readScheduleState, type ScheduleState } from '../../amqp/schedule-state.js';
import { addConnectionFlags, brokerTarget, type ConnectionFlags } from '../connection-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { loadRegistry } from '../load-registry.js';
import { collect, integer } from '../parsers.js';
import { safe } from '../stats-text.js';

interface ScheduleFlags extends ConnectionFlags {
  schedule?: string[];
  require?: string;
  group?: string;
  broker?: boolean;
  count?: number;
  from?: string;
  json?: boolean;
}

/** The schedules of the files; with --require, each job checked against the registry. */
async function schedulesOf(flags: ScheduleFlags): Promise<Schedule[]> {
  if (!flags.schedule?.length) throw new UsageError('give the schedule files: --schedule <file or directory> (repeatable)');
  const schedules = await loadSchedules(flags.schedule);
  if (flags.require) {
    const registry = await loadRegistry(flags.require);
    const missing = schedules.filter((schedule) => typeof schedule.job === 'string' && !registry.has(schedule.job));
    if (missing.length > 0)
      throw new UsageError(
        missing.map((schedule) => `schedule "${schedule.name}": job "${String(schedule.job)}" is not registered in ${flags.require}`).join('\n'),
      );
  }
  return schedules;
}

function fromTime(flags: ScheduleFlags): number {
  if (flags.from === undefined) return Date.now();
  const at = Date.parse(flags.from);
  if (Number.isNaN(at)) throw new UsageError(`--from must be a date and time such as 2026-03-08T00:00:00Z, not ${JSON.stringify(flags.from)}`);
  return at;
}

/** `2026-03-08T07:00:00Z (03:00 America/New_York)`: UTC, and the schedule's wall clock for cron schedules in another zone. */
function when(ms: number | undefined, schedule: Schedule): string {
  if (ms === undefined) return '-';
  const utc = new Date(ms).toISOString().replace('.000Z', 'Z');
  if (!schedule.timezone || schedule.timezone === 'UTC') return utc;
  const local = new Intl.DateTimeFormat('sv-SE', { timeZone: schedule.timezone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
  return `${utc} (${local} ${schedule.timezone})`;
}

function jobName(schedule: Schedule): string {
  return typeof schedule.job === 'string' ? schedule.job : schedule.job.name;
}

async function list(flags: ScheduleFlags): Promise<number> {
  const schedules = await schedulesOf(flags);
  const now = fromTime(flags);
  let state: ScheduleState | undefined;
  if (flags.broker) {
    const { url, socketOptions } = brokerTarget(flags);
    state = await readScheduleState(
      url,
      flags.group ?? DEFAULTS.schedule.group,
      schedules.map((schedule) => schedule.name),
      { socketOptions },
    );
  }
  const rows = schedules.map((schedule) => ({
    name: schedule.name,
    when: schedule.describe,
    job: jobName(schedule),
    queue: schedule.queue ?? null,
    missed: schedule.missed === 'all' ? `all (up to ${schedule.maxCatchUp})` : schedule.missed,
    next: schedule.times.nextAfter(now),
    ...(state && { last: state.lastTicks.get(schedule.name) }),
  }));
  if (flags.json) {
    const json = rows.map((row) => ({
      ...row,
      next: row.next === undefined ? null : new Date(row.next).toISOString(),
      ...(state && { last: row.last === undefined ? null : new Date(row.last).toISOString() }),
    }));
    process.stdout.write(`${JSON.stringify(state ? { leader: state.leader, schedules: json } : json)}\n`);
    return EXIT.ok;
  }
  const lines = rows.map((row, i) => {
    const schedule = schedules[i] as Schedule;
    const last = state ? `\n    last enqueued: ${when(row.last, schedule)}` : '';
    return `${safe(row.name)}  ${safe(row.when)}  ${safe(row.job)}${row.queue ? ` on ${safe(row.queue)}` : ''}  missed: ${row.missed}\n    next: ${when(row.next, schedule)}${last}`;
  });
  if (state)
    lines.unshift(
      `scheduler group ${safe(flags.group ?? DEFAULTS.schedule.group)}: ${state.leader ? 'a worker leads' : 'no leader (no worker with these schedules is connected)'}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function plan(flags: ScheduleFlags): Promise<number> {
  const schedules = await schedulesOf(flags);
  const from = fromTime(flags);
  const count = flags.count ?? 5;
  const plans = schedules.map((schedule) => ({ schedule, runs: ticksIn(schedule.times, from, Number.MAX_SAFE_INTEGER, count) }));
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(plans.map(({ schedule, runs }) => ({ name: schedule.name, runs: runs.map((run) => new Date(run).toISOString()) })))}\n`,
    );
    return EXIT.ok;
  }
  const text = plans.map(({ schedule, runs }) =>
    [`${safe(schedule.name)}  ${safe(schedule.describe)}`, ...runs.map((run) => `  ${when(run, schedule)}`)].join('\n'),
  );
  process.stdout.write(`${text.join('\n')}\n`);
  return EXIT.ok;
}

/**
 * `warren schedule list|plan --schedule FILE`: the recurring jobs of schedule files and their next
 * runs (in UTC, and on the schedule's wall clock). `list --broker` also reads, from the broker,
 * each schedule's last enqueued tick and whether a worker leads the group. No worker needed.
 */
export function scheduleCommand(_logger: Logger, setExit: (code: number) => void): Command {
  const common = (command: Command): Command => {
    command
      .option('--schedule <file>', 'schedule file or directory (YAML or JSON, `schedules:`); repeatable', collect)
      .option('--require <module>', 'module exporting the JobRegistry: check that every job is registered')
      .option('--from <time>', 'list or plan from this date and time (default: now)')
      .option('--json', 'print JSON');
    return command;
  };
  const listCommand = common(new Command('list').description('the schedules, their next run and (with --broker) their last enqueued tick'))
    .option('--broker', "read each schedule's last enqueued tick and the group's leader from the broker")
    .option('--group <name>', `scheduler group (default: ${DEFAULTS.schedule.group})`);
  addConnectionFlags(listCommand);
  return new Command('schedule')
    .description('list recurring jobs and plan their next runs')
    .addCommand(listCommand.action(async (flags: ScheduleFlags) => setExit(await list(flags))))
    .addCommand(
      common(new Command('plan').description('the next runs of each schedule'))
        .option('--count <n>', 'runs per schedule (default: 5)', integer('--count', 1))
        .action(async (flags: ScheduleFlags) => setExit(await plan(flags))),
    );
}
