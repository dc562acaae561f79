import { ConfigurationError } from '../errors.js';
import { jobNameOf, type JobClassSettings } from './job-class.js';

/**
 * `static concurrency = { key, limit }`: at most `limit` jobs of the class with the same key run
 * at once, across every worker (e.g. one per customer account). A job over the limit is not
 * failed: the worker publishes it again a little later (DEFAULTS.flow.concurrencyRetryMs, with
 * jitter) and takes other jobs meanwhile. See src/amqp/slot-locks.ts for how a slot is held.
 */
export interface ConcurrencyLimit {
  /** The jobs that share a limit: a text or number from the perform arguments. Default: one key for the class. */
  readonly key?: ((...args: never[]) => string | number) | undefined;
  /** How many may run at once, 1 to DEFAULTS.flow.maxConcurrencyLimit. */
  readonly limit: number;
}

/**
 * `static rateLimit = { key, limit, per }`: at most `limit` jobs of the class with the same key
 * start in any window of `per` ms, across every worker (e.g. 100 per minute per API key). A job
 * over the limit is not failed: the worker publishes it again for a moment of the window and
 * takes other jobs meanwhile. See src/amqp/rate-permits.ts.
 */
export interface RateLimit extends ConcurrencyLimit {
  /** Starts allowed per window, 1 to DEFAULTS.flow.maxRateLimit. */
  readonly limit: number;
  /** The window, ms (1 to 24 hours). */
  readonly per: number;
}

const MAX_WINDOW_MS = 24 * 60 * 60_000;

/** Validated settings, per class and property (null: the class has none). */
const checked = { concurrency: new WeakMap<object, ConcurrencyLimit | null>(), rateLimit: new WeakMap<object, RateLimit | null>() };

/** The class's `concurrency`, validated once (ConfigurationError for a bad one); undefined when it has none. */
export function concurrencyLimitOf(jobClass: JobClassSettings, maxLimit: number): ConcurrencyLimit | undefined {
  return checkedLimit(jobClass, 'concurrency', maxLimit);
}

/** The class's `rateLimit`, validated once (ConfigurationError for a bad one); undefined when it has none. */
export function rateLimitOf(jobClass: JobClassSettings, maxLimit: number): RateLimit | undefined {
  return checkedLimit(jobClass, 'rateLimit', maxLimit);
}

function checkedLimit<P extends keyof typeof checked>(
  jobClass: JobClassSettings,
  property: P,
  maxLimit: number,
): (P extends 'rateLimit' ? RateLimit : ConcurrencyLimit) | undefined {
  type Setting = P extends 'rateLimit' ? RateLimit : ConcurrencyLimit;
  const memo = checked[property] as WeakMap<object, Setting | null>;
  const known = memo.get(jobClass);
  if (known !== undefined) return known ?? undefined;
  const setting = ((jobClass as unknown as Record<string, unknown>)[property] ?? null) as Setting | null;
  if (setting) {
    const name = `${jobNameOf(jobClass)}.${property}`;
    if (!(Number.isInteger(setting.limit) && setting.limit >= 1 && setting.limit <= maxLimit)) {
      throw new ConfigurationError(`${name}.limit must be a whole number from 1 to ${maxLimit} (got ${String(setting.limit)})`);
    }
    if (property === 'rateLimit') {
      const { per } = setting as RateLimit;
      if (!(Number.isInteger(per) && per >= 1 && per <= MAX_WINDOW_MS)) {
        throw new ConfigurationError(`${name}.per must be a whole number of ms from 1 to ${MAX_WINDOW_MS} (got ${String(per)})`);
      }
    }
    if (setting.key !== undefined && typeof setting.key !== 'function') throw new ConfigurationError(`${name}.key must be a function of the perform arguments`);
  }
  memo.set(jobClass, setting);
  return setting ?? undefined;
}

/** The key of one job under a limit: `key(...args)` as text, or '' for the class's single limit. */
export function limitKeyOf(limit: ConcurrencyLimit, args: readonly unknown[]): string {
  if (!limit.key) return '';
  const key = (limit.key as (...values: unknown[]) => unknown)(...args);
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  if (typeof key === 'string') return key;
  throw new ConfigurationError(`a limit's key must return a string or a finite number (got ${typeof key})`);
}
