import { createHash } from 'node:crypto';
import type { QueueAdapter } from '../adapters/adapter.js';
import { DEFAULTS } from '../config/defaults.js';
import { deserializeArguments } from '../envelope/arguments.js';
import type { JsonValue } from '../envelope/envelope.js';
import { stringifyJson } from '../envelope/lossless-json.js';
import { ConfigurationError } from '../errors.js';
import { jobNameOf, type JobClassSettings } from './job-class.js';

/**
 * `static unique = { key, until, ttl, onDuplicate }`: while a job with the same key is pending
 * (and, with `until: 'executed'`, running), another enqueue of the class with that key is refused
 * (sidekiq-unique-jobs' until_executing / until_executed; BullMQ's deduplication). The lock is
 * taken at enqueue and released by the worker when the job starts (`executing`) or ends without
 * a retry (`executed`); it expires after `ttl` whatever happens, so a lost job cannot hold it
 * forever. Retries and continuations of a job keep its lock and are never refused.
 */
export interface UniqueOptions {
  /** The key: a text or number from the perform arguments. Default: all the arguments (their wire form). */
  readonly key?: ((...args: never[]) => string | number) | undefined;
  /** Held until the job starts (`executing`) or ends without a retry (`executed`, the default). */
  readonly until?: 'executing' | 'executed' | undefined;
  /** The lock expires this many ms after the enqueue at the latest. Default: DEFAULTS.flow.uniqueTtlMs (1 hour). */
  readonly ttl?: number | undefined;
  /** A duplicate is `skip`ped (performLater resolves, successfullyEnqueued false; the default) or thrown (`raise`: DuplicateJobError). */
  readonly onDuplicate?: 'skip' | 'raise' | undefined;
  /**
   * Debounce instead (ms): every enqueue is accepted and runs this much later, but only the last
   * one enqueued for the key within that time is performed; the others end as skipped when they
   * come due (BullMQ's debounce). `until` and `onDuplicate` do not apply.
   */
  readonly debounce?: number | undefined;
}

interface WithUnique extends JobClassSettings {
  readonly unique?: UniqueOptions | undefined;
}

const checked = new WeakMap<object, UniqueOptions | null>();

/** The class's unique options, validated once; undefined for a class without them. */
export function uniqueOf(jobClass: JobClassSettings): UniqueOptions | undefined {
  const known = checked.get(jobClass);
  if (known !== undefined) return known ?? undefined;
  const options = (jobClass as WithUnique).unique ?? null;
  if (options) validateUnique(jobNameOf(jobClass), options);
  checked.set(jobClass, options);
  return options ?? undefined;
}

export function validateUnique(name: string, options: UniqueOptions): void {
  const { key, until, ttl, onDuplicate } = options;
  if (key !== undefined && typeof key !== 'function') throw new ConfigurationError(`${name}.unique.key must be a function of the perform arguments`);
  if (until !== undefined && until !== 'executing' && until !== 'executed')
    throw new ConfigurationError(`${name}.unique.until must be 'executing' or 'executed'`);
  if (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl >= 1 && ttl <= DEFAULTS.flow.uniqueMaxTtlMs)) {
    throw new ConfigurationError(`${name}.unique.ttl must be a whole number of ms from 1 to ${DEFAULTS.flow.uniqueMaxTtlMs}`);
  }
  if (onDuplicate !== undefined && onDuplicate !== 'skip' && onDuplicate !== 'raise')
    throw new ConfigurationError(`${name}.unique.onDuplicate must be 'skip' or 'raise'`);
  const { debounce } = options;
  if (debounce !== undefined && !(Number.isSafeInteger(debounce) && debounce >= 1 && debounce <= DEFAULTS.flow.uniqueMaxTtlMs)) {
    throw new ConfigurationError(`${name}.unique.debounce must be a whole number of ms from 1 to ${DEFAULTS.flow.uniqueMaxTtlMs}`);
  }
}

/** The lock of one job: `warren.unique.<class>.<sha256 of the key>`. */
export async function uniqueLockOf(jobClass: JobClassSettings, options: UniqueOptions, serializedArguments: readonly JsonValue[]): Promise<string> {
  let key: string;
  if (options.key) {
    const value = (options.key as (...args: unknown[]) => unknown)(...(await deserializeArguments(serializedArguments)));
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
      throw new ConfigurationError(`unique.key must return a string or a finite number (got ${typeof value})`);
    }
    key = `k:${value}`;
  } else {
    key = `a:${stringifyJson(serializedArguments)}`;
  }
  const name = jobNameOf(jobClass);
  const digest = createHash('sha256').update(name).update('\0').update(key).digest('hex');
  return `${DEFAULTS.flow.uniqueLockPrefix}.${name.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100)}.${digest}`;
}

/**
 * Where locks are kept. The AMQP adapter keeps them on the broker (src/amqp/unique-locks.ts);
 * the in-process adapters share one in-memory table (memoryUniqueLocks), so tests see duplicates
 * refused as production does.
 */
export interface UniqueLocks {
  /** Takes `lock` for `holder` (a job id) for `ttlMs`; false when someone holds it. */
  acquire(lock: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Frees `lock` if `holder` holds it (a lock that expired and was taken since is left alone). */
  release(lock: string, holder: string): Promise<void>;
  /** Debounce: records `holder` as the latest job of `lock` (replacing any other) for `ttlMs`. */
  markLatest(lock: string, holder: string, ttlMs: number): Promise<void>;
  /**
   * Debounce: true when `holder` is the latest job of `lock`, or no job is recorded (it expired).
   * The record stays until it expires, so an older job that comes due after the latest one ran
   * still sees that a later one exists.
   */
  isLatest(lock: string, holder: string): Promise<boolean>;
}

/** The adapter's lock table, or the process's in-memory one. */
export function uniqueLocksOf(adapter: QueueAdapter): UniqueLocks {
  const own = (adapter as { uniqueLocks?: UniqueLocks }).uniqueLocks;
  return own ?? memoryUniqueLocks;
}

const held = new Map<string, { holder: string; until: number }>();
const latest = new Map<string, { holder: string; until: number }>();
let nextSweep = 0;

/** Locks in this process (inline, async and test adapters). */
export const memoryUniqueLocks: UniqueLocks = {
  async acquire(lock, holder, ttlMs) {
    const current = held.get(lock);
    if (current && current.until > Date.now()) return current.holder === holder;
    held.set(lock, { holder, until: Date.now() + ttlMs });
    return true;
  },
  async release(lock, holder) {
    if (held.get(lock)?.holder === holder) held.delete(lock);
  },
  async markLatest(lock, holder, ttlMs) {
    const now = Date.now();
    // Records stay until they expire: the expired ones are swept at most once a minute, so many keys do not pile up.
    if (now >= nextSweep) {
      nextSweep = now + 60_000;
      for (const [key, record] of latest) if (record.until <= now) latest.delete(key);
    }
    latest.set(lock, { holder, until: now + ttlMs });
  },
  async isLatest(lock, holder) {
    const current = latest.get(lock);
    return !current || current.until <= Date.now() || current.holder === holder;
  },
};

/** Forgets every in-memory lock (tests). */
export function clearMemoryUniqueLocks(): void {
  held.clear();
  latest.clear();
}

/** What enqueue took: the lock, to free if the publish fails. */
export interface TakenLock {
  release(): Promise<void>;
}

/**
 * Takes the job's lock before it is published: undefined when the class is not unique, the call
 * said `unique: false`, or the job came from an envelope (a retry or a continuation keeps the
 * lock it has); 'duplicate' when another job holds it.
 */
export async function takeUniqueLock(
  jobClass: JobClassSettings,
  jobId: string,
  serializedArguments: readonly JsonValue[],
  override: false | { ttl?: number | undefined } | undefined,
  adapter: QueueAdapter,
): Promise<TakenLock | 'duplicate' | undefined> {
  const options = uniqueOf(jobClass);
  if (!options || override === false) return undefined;
  const lock = await uniqueLockOf(jobClass, options, serializedArguments);
  const locks = uniqueLocksOf(adapter);
  if (options.debounce !== undefined) {
    // Debounce: never refused; this job becomes the one to perform (it runs `debounce` ms later).
    await locks.markLatest(debounceRecordOf(lock), jobId, options.debounce + DEFAULTS.flow.uniqueTtlMs);
    return undefined;
  }
  const ttl = override?.ttl ?? options.ttl ?? DEFAULTS.flow.uniqueTtlMs;
  if (!(await locks.acquire(lock, jobId, ttl))) return 'duplicate';
  return { release: () => locks.release(lock, jobId) };
}

/**
 * Frees the job's lock at `moment` when its class holds it until then (`executing`: the job
 * starts; `executed`: it ended without a retry). Never rejects: a lock not freed expires.
 */
export function releaseUniqueLock(
  jobClass: JobClassSettings,
  jobId: string,
  serializedArguments: readonly JsonValue[],
  moment: 'executing' | 'executed',
  adapter: QueueAdapter,
): void {
  const options = uniqueOf(jobClass);
  if (!options || options.debounce !== undefined || (options.until ?? 'executed') !== moment) return;
  uniqueLockOf(jobClass, options, serializedArguments)
    .then((lock) => uniqueLocksOf(adapter).release(lock, jobId))
    .catch(() => {});
}

/** The queue that records a debounced key's latest job (beside its lock's name). */
export function debounceRecordOf(lock: string): string {
  return `${lock}.latest`;
}

/**
 * Debounce, when a job of the key comes due: true when it is the latest one enqueued (it is
 * performed), false when a later one replaced it (it is skipped). The record is left in place (it
 * expires): taking it would let an older job that comes due just after find no record and run
 * too. A record that cannot be read lets the job run: a duplicate run, never a lost one.
 */
export async function isLatestDebounced(
  jobClass: JobClassSettings,
  jobId: string,
  serializedArguments: readonly JsonValue[],
  adapter: QueueAdapter,
): Promise<boolean> {
  const options = uniqueOf(jobClass);
  if (options?.debounce === undefined) return true;
  try {
    const lock = await uniqueLockOf(jobClass, options, serializedArguments);
    return await uniqueLocksOf(adapter).isLatest(debounceRecordOf(lock), jobId);
  } catch {
    return true;
  }
}
