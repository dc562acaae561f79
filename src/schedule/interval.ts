const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/** The shortest interval: a leader enqueues one job per tick, with a confirm each. */
export const MIN_INTERVAL_MS = 1_000;

/**
 * `every:` as milliseconds: a number of ms, or a string such as `'30s'`, `'5m'`, `'1.5h'`,
 * `'1d'` (one unit; `ms`, `s`, `m`, `h`, `d`). A whole number of milliseconds of at least a second.
 */
export function parseInterval(every: unknown, fail: (message: string) => never): number {
  let ms: number;
  if (typeof every === 'number') {
    ms = every;
  } else if (typeof every === 'string') {
    const match = DURATION.exec(every);
    if (!match) fail(`every ${JSON.stringify(every)} is not a duration: write a number and one unit, such as "30s", "5m", "1h" or "1d"`);
    ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  } else {
    fail('every must be a number of milliseconds or a duration such as "30s"');
  }
  if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS) fail(`every must be a whole number of milliseconds of at least ${MIN_INTERVAL_MS}, not ${String(every)}`);
  return ms;
}
