import { DEFAULTS } from '../config/defaults.js';
import { ScheduleError } from '../errors.js';
import { parseCron, type CronTimes } from './cron-times.js';
import { parseInterval } from './interval.js';

/** What the leader does with ticks it sees more than `graceMs` late (after an outage with no leader). */
export type MissedTickPolicy = 'skip' | 'once' | 'all';

/**
 * A recurring job, as the application declares it (in code, or under `schedules:` in a YAML/JSON
 * file read by loadSchedules). Exactly one of `cron` and `every`.
 */
export interface ScheduleDefinition {
  /** Unique among the schedules; part of each tick's job id (`<name>@<tick time ISO>`). Letters, digits, `_ . : -`. */
  name: string;
  /**
   * A cron expression: 5 fields (minute hour day month weekday), or 6 with seconds first (7: a year last); ranges,
   * lists, steps, names, `L`, `#`, and the nicknames `@hourly`, `@daily`, `@weekly`, `@monthly`,
   * `@yearly` (croner's syntax). Read in `timezone`.
   */
  cron?: string;
  /** An interval instead: milliseconds, or a duration such as `'30s'`, `'5m'`, `'1h'`, `'1d'`. Ticks fall on whole multiples of it since the Unix epoch, so every leader computes the same ones. */
  every?: number | string;
  /** IANA time zone of the cron expression (DEFAULTS.schedule.timezone: UTC). */
  timezone?: string;
  /** The job: a registered job class, or its registered name. */
  job: string | (abstract new (...args: never[]) => unknown);
  /** The job's perform arguments (serialized like performLater's). */
  args?: readonly unknown[];
  /** Queue and priority, as `set({ queue, priority })`; the class's own otherwise. */
  queue?: string;
  priority?: number;
  /** Missed ticks: 'skip' (the default), 'once' (one job for the latest missed tick), 'all' (each, up to `maxCatchUp`). */
  missed?: MissedTickPolicy;
  /** missed: 'all': at most this many missed ticks, the latest ones (DEFAULTS.schedule.maxCatchUp). */
  maxCatchUp?: number;
  /** How late a tick may be seen and still be on time (DEFAULTS.schedule.graceMs). */
  graceMs?: number;
}

/** A checked schedule: what the scheduler and `warren schedule` work with. */
export interface Schedule {
  readonly name: string;
  /** The job's registered name (`jobName`), or the class given in code. */
  readonly job: ScheduleDefinition['job'];
  readonly args: readonly unknown[];
  readonly queue: string | undefined;
  readonly priority: number | undefined;
  readonly missed: MissedTickPolicy;
  readonly maxCatchUp: number;
  readonly graceMs: number;
  /** `cron "..." (zone)` or `every 30s`: for listings. */
  readonly describe: string;
  readonly timezone: string | undefined;
  readonly times: CronTimes;
}

const NAME = /^[A-Za-z0-9_.:-]+$/;
/** The most missed ticks one schedule may catch up at once, and the longest grace: an outage must not turn into an unbounded burst of jobs. */
const MAX_CATCH_UP = 10_000;
const MAX_GRACE_MS = 86_400_000;

function fail(name: string, message: string): never {
  throw new ScheduleError(`schedule ${JSON.stringify(name)}: ${message}`);
}

/** Checks one definition (ScheduleError naming the schedule and the problem); a Schedule already checked is returned as it is. */
export function toSchedule(given: ScheduleDefinition | Schedule): Schedule {
  if ('times' in given && typeof given.times?.nextAfter === 'function') return given;
  const definition = given as ScheduleDefinition;
  const name = definition.name;
  if (typeof name !== 'string' || !NAME.test(name) || name.length > DEFAULTS.schedule.maxNameLength) {
    fail(String(name), `a name is 1 to ${DEFAULTS.schedule.maxNameLength} letters, digits, '_', '.', ':' or '-'`);
  }
  const { cron, every } = definition;
  if ((cron === undefined) === (every === undefined)) fail(name, 'give exactly one of cron and every');
  const job = definition.job;
  if (!(typeof job === 'string' && job.length > 0) && typeof job !== 'function') fail(name, 'job must be a job class or its registered name');
  if (definition.args !== undefined && !Array.isArray(definition.args)) fail(name, 'args must be an array (the perform arguments)');
  if (definition.queue !== undefined && (typeof definition.queue !== 'string' || definition.queue.length === 0)) fail(name, 'queue must be a queue name');
  if (definition.priority !== undefined && !Number.isInteger(definition.priority)) fail(name, 'priority must be an integer');
  const missed = definition.missed ?? DEFAULTS.schedule.missed;
  if (missed !== 'skip' && missed !== 'once' && missed !== 'all') fail(name, `missed must be 'skip', 'once' or 'all', not ${JSON.stringify(missed)}`);
  const maxCatchUp = definition.maxCatchUp ?? DEFAULTS.schedule.maxCatchUp;
  if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1 || maxCatchUp > MAX_CATCH_UP) {
    fail(name, `maxCatchUp must be a whole number from 1 to ${MAX_CATCH_UP}, not ${String(maxCatchUp)}`);
  }
  const graceMs = definition.graceMs ?? DEFAULTS.schedule.graceMs;
  // At least a second: the leader wakes a little after each tick, and a tick must still be on time then.
  if (!Number.isInteger(graceMs) || graceMs < 1_000 || graceMs > MAX_GRACE_MS) {
    fail(name, `graceMs must be a whole number of milliseconds from 1000 to ${MAX_GRACE_MS} (a day), not ${String(graceMs)}`);
  }
  let times: CronTimes;
  let describe: string;
  const timezone = definition.timezone;
  if (cron !== undefined) {
    const zone = timezone ?? DEFAULTS.schedule.timezone;
    times = parseCron(cron, zone, (message) => fail(name, message));
    describe = `cron "${cron}" (${zone})`;
  } else {
    if (timezone !== undefined) fail(name, 'timezone applies to cron expressions; an interval counts milliseconds');
    const everyMs = parseInterval(every, (message) => fail(name, message));
    times = intervalTimes(everyMs);
    describe = `every ${typeof every === 'number' ? `${every} ms` : String(every)}`;
  }
  return Object.freeze({
    name,
    job,
    args: Object.freeze([...(definition.args ?? [])]),
    queue: definition.queue,
    priority: definition.priority,
    missed,
    maxCatchUp,
    graceMs,
    describe,
    timezone: cron !== undefined ? (timezone ?? DEFAULTS.schedule.timezone) : undefined,
    times,
  });
}

/** Checks a list (ScheduleError for a bad one, or for two with one name). */
export function toSchedules(definitions: readonly (ScheduleDefinition | Schedule)[]): Schedule[] {
  if (!Array.isArray(definitions)) throw new ScheduleError('schedules must be an array of schedule definitions');
  const seen = new Set<string>();
  return definitions.map((definition) => {
    const schedule = toSchedule(definition);
    if (seen.has(schedule.name)) fail(schedule.name, 'declared twice');
    seen.add(schedule.name);
    return schedule;
  });
}

/** Ticks on whole multiples of `everyMs` since the epoch: the same for every process. */
function intervalTimes(everyMs: number): CronTimes {
  return {
    nextAfter: (afterMs) => (Math.floor(afterMs / everyMs) + 1) * everyMs,
  };
}

/** The job id of a schedule's tick: the same whoever enqueues it, so a duplicate is recognised. */
export function tickJobId(scheduleName: string, tickMs: number): string {
  return `${scheduleName}@${new Date(tickMs).toISOString()}`;
}
