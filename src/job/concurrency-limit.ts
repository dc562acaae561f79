import { ConfigurationError } from '../errors.js';
import { jobNameOf, type JobClassSettings } from './job-class.js';

/**
 * `static concurrency = { key, limit }`: at most `limit` jobs of the class with the same key run
 * at once, across every worker (e.g. one per customer account). `key` gets the perform arguments;
 * without it the whole class shares one limit. A job over the limit is not failed: the worker
 * publishes it again a little later (DEFAULTS.flow.concurrencyRetryMs, with jitter) and takes
 * other jobs meanwhile. See src/amqp/slot-locks.ts for how a slot is held on the broker.
 */
export interface ConcurrencyLimit {
  /** The jobs that share a limit: a text or number from the perform arguments. Default: one key for the class. */
  readonly key?: ((...args: never[]) => string | number) | undefined;
  /** How many may run at once, 1 to DEFAULTS.flow.maxConcurrencyLimit. */
  readonly limit: number;
}

interface WithConcurrency extends JobClassSettings {
  readonly concurrency?: ConcurrencyLimit | undefined;
}

const checked = new WeakMap<object, ConcurrencyLimit | null>();

/** The class's limit, validated once (ConfigurationError for a bad one); undefined when it has none. */
export function concurrencyLimitOf(jobClass: JobClassSettings, maxLimit: number): ConcurrencyLimit | undefined {
  const known = checked.get(jobClass);
  if (known !== undefined) return known ?? undefined;
  const setting = (jobClass as WithConcurrency).concurrency;
  if (setting !== undefined && setting !== null) {
    const { limit, key } = setting;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= maxLimit)) {
      throw new ConfigurationError(`${jobNameOf(jobClass)}.concurrency.limit must be a whole number from 1 to ${maxLimit} (got ${String(limit)})`);
    }
    if (key !== undefined && typeof key !== 'function')
      throw new ConfigurationError(`${jobNameOf(jobClass)}.concurrency.key must be a function of the perform arguments`);
  }
  checked.set(jobClass, setting ?? null);
  return setting ?? undefined;
}

/** The key of one job: `key(...args)` as text, or '' for the class's single limit. */
export function concurrencyKeyOf(limit: ConcurrencyLimit, args: readonly unknown[]): string {
  if (!limit.key) return '';
  const key = (limit.key as (...values: unknown[]) => unknown)(...args);
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  if (typeof key === 'string') return key;
  throw new ConfigurationError(`concurrency.key must return a string or a finite number (got ${typeof key})`);
}
