import { createRequire } from 'node:module';
import type { Cron } from 'croner';

/** The tick times of a schedule. */
export interface CronTimes {
  /** The first tick strictly after `afterMs` (ms since the epoch); undefined when there is none (a date in the past). */
  nextAfter(afterMs: number): number | undefined;
}

/**
 * A cron expression read by croner (zero dependencies; seconds, `L`, `#`, nicknames; time zones
 * through Intl). Daylight saving time, checked in test/unit/schedule/cron-times.test.ts: a time
 * that does not exist on the spring-forward day (02:30 in New York) runs once, at the first
 * instant after the gap (03:00); a time that exists twice on the fall-back day (01:30) runs once,
 * at its first occurrence; hourly expressions keep running every hour through both days.
 */
export function parseCron(expression: string, timezone: string, fail: (message: string) => never): CronTimes {
  if (typeof expression !== 'string' || expression.trim() === '') fail('cron must be a cron expression such as "30 2 * * *"');
  if (!isTimeZone(timezone)) fail(`unknown time zone ${JSON.stringify(timezone)} (an IANA name such as "Europe/Madrid")`);
  // croner is loaded when a schedule is read, not by every process that imports warren (test/unit/eager-imports.test.ts).
  const { Cron: CronClass } = createRequire(import.meta.url)('croner') as typeof import('croner');
  let cron: Cron;
  try {
    // paused: croner runs nothing; it only computes times. legacyMode (the default): day of month OR weekday, as Vixie cron.
    cron = new CronClass(expression, { timezone, paused: true });
  } catch (error) {
    fail(`cron ${JSON.stringify(expression)} is not valid: ${(error as Error).message}`);
  }
  if (cron.nextRun(new Date(0)) === null && cron.nextRun() === null) fail(`cron ${JSON.stringify(expression)} never runs`);
  return {
    nextAfter(afterMs) {
      return cron.nextRun(new Date(afterMs))?.getTime() ?? undefined;
    },
  };
}

function isTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
