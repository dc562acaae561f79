import type { CronTimes } from './cron-times.js';
import type { Schedule } from './schedule.js';

/** What the leader enqueues for a schedule now. */
export interface TickPlan {
  /** Tick times to enqueue, oldest first (each becomes one job, id `<name>@<ISO time>`). */
  readonly enqueue: readonly number[];
  /** Missed ticks left out by the policy: after `after`, up to and including `until`. */
  readonly skipped: { readonly after: number; readonly until: number } | undefined;
  /** Up to here every tick is dealt with (enqueued or skipped): the next plan starts after it. */
  readonly through: number;
}

/** The most ticks one plan enqueues on time (a per-second schedule with a minute of grace has 60). */
const MAX_ON_TIME = 1_000;

/**
 * The ticks of `schedule` to enqueue at `nowMs`, given the last tick dealt with (`lastMs`: the
 * record on the broker, or when there is none the moment this leader took over).
 *
 * A tick is on time when it is at most `graceMs` old: it is enqueued, whatever the policy. An
 * older one was missed (no leader ran then: every worker down, the broker down, a takeover that
 * took longer than the grace), and the schedule's policy decides:
 * - `skip`: none is enqueued (the default, as Sidekiq-cron and Solid Queue);
 * - `once`: the latest missed tick is enqueued, standing for all of them;
 * - `all`: each missed tick, the latest `maxCatchUp` of them, oldest first.
 * Pure: the leader calls it with the clock; tests call it with any time.
 */
export function planTicks(schedule: Pick<Schedule, 'times' | 'missed' | 'maxCatchUp' | 'graceMs'>, lastMs: number, nowMs: number): TickPlan {
  const { times } = schedule;
  const onTimeAfter = Math.max(lastMs, nowMs - schedule.graceMs - 1);
  const onTime = ticksIn(times, onTimeAfter, nowMs, MAX_ON_TIME);
  // More on-time ticks than one plan takes (a per-second schedule with a grace of hours): the rest come in the next plan.
  const through = onTime.length === MAX_ON_TIME ? (onTime.at(-1) as number) : nowMs;
  const firstMissed = lastMs < onTimeAfter ? times.nextAfter(lastMs) : undefined;
  if (firstMissed === undefined || firstMissed > onTimeAfter) return { enqueue: onTime, skipped: undefined, through };
  const keep = schedule.missed === 'skip' ? 0 : schedule.missed === 'once' ? 1 : schedule.maxCatchUp;
  const caughtUp = keep === 0 ? [] : latestTicks(times, lastMs, onTimeAfter, keep);
  const firstKept = caughtUp[0];
  const skipped = firstKept === firstMissed ? undefined : { after: lastMs, until: firstKept === undefined ? onTimeAfter : firstKept - 1 };
  return { enqueue: [...caughtUp, ...onTime], skipped, through };
}

/** Ticks t with afterMs < t <= untilMs, oldest first, at most `limit`. */
export function ticksIn(times: CronTimes, afterMs: number, untilMs: number, limit: number): number[] {
  const ticks: number[] = [];
  let tick = times.nextAfter(afterMs);
  while (tick !== undefined && tick <= untilMs && ticks.length < limit) {
    ticks.push(tick);
    tick = times.nextAfter(tick);
  }
  return ticks;
}

/**
 * The latest `count` ticks in (afterMs, untilMs], oldest first, without walking every tick of a
 * long outage (a per-second schedule down for a week has 604,800): windows ending at `untilMs`
 * that double until they hold `count` ticks or reach `afterMs`.
 */
export function latestTicks(times: CronTimes, afterMs: number, untilMs: number, count: number): number[] {
  let span = 60_000;
  for (;;) {
    const from = Math.max(afterMs, untilMs - span);
    const ticks = ticksIn(times, from, untilMs, Number.POSITIVE_INFINITY);
    if (ticks.length >= count || from === afterMs) return ticks.slice(-count);
    span *= 2;
  }
}
