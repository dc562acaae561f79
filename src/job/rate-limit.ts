import { ConfigurationError } from '../errors.js';
import { jobNameOf, type JobClassSettings } from './job-class.js';

/**
 * `static rateLimit = { key, limit, per }`: at most `limit` jobs of the class with the same key
 * start in any window of `per` ms, across every worker (e.g. 100 per minute per API key). Without
 * `key` the class shares one limit. A job over the limit is not failed: the worker publishes it
 * again for when a start is free and takes other jobs meanwhile. See src/amqp/rate-permits.ts.
 */
export interface RateLimit {
  /** The jobs that share a limit: a text or number from the perform arguments. Default: one key for the class. */
  readonly key?: ((...args: never[]) => string | number) | undefined;
  /** Starts allowed per window, 1 to DEFAULTS.flow.maxRateLimit. */
  readonly limit: number;
  /** The window, ms (1 to 24 hours). */
  readonly per: number;
}

interface WithRateLimit extends JobClassSettings {
  readonly rateLimit?: RateLimit | undefined;
}

const checked = new WeakMap<object, RateLimit | null>();

/** The class's rate limit, validated once (ConfigurationError for a bad one); undefined when it has none. */
export function rateLimitOf(jobClass: JobClassSettings, maxLimit: number): RateLimit | undefined {
  const known = checked.get(jobClass);
  if (known !== undefined) return known ?? undefined;
  const setting = (jobClass as WithRateLimit).rateLimit ?? null;
  if (setting) {
    const name = jobNameOf(jobClass);
    if (!(Number.isInteger(setting.limit) && setting.limit >= 1 && setting.limit <= maxLimit)) {
      throw new ConfigurationError(`${name}.rateLimit.limit must be a whole number from 1 to ${maxLimit} (got ${String(setting.limit)})`);
    }
    if (!(Number.isInteger(setting.per) && setting.per >= 1 && setting.per <= 24 * 60 * 60_000)) {
      throw new ConfigurationError(`${name}.rateLimit.per must be a whole number of ms from 1 to 86400000 (got ${String(setting.per)})`);
    }
    if (setting.key !== undefined && typeof setting.key !== 'function')
      throw new ConfigurationError(`${name}.rateLimit.key must be a function of the perform arguments`);
  }
  checked.set(jobClass, setting);
  return setting ?? undefined;
}
