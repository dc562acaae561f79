import { ConfigurationError } from '../errors.js';
import type { JobClassSettings } from './job-class.js';
import type { Job } from './job.js';
import { queueNameFromPart } from './queue-name.js';
import { assertPriority } from './queue-priority.js';
import { internalsOf } from './internal-state.js';
import { validateUnique } from './unique-job.js';

/** Options for `Job.set(...)`, `job.set(...)` and retries (Active Job's `set`). */
export interface SetOptions {
  /** Run no earlier than this many milliseconds from now. Default: no delay. */
  wait?: number | undefined;
  /** Run no earlier than this time (a Date or milliseconds since the epoch). Default: no delay. */
  waitUntil?: Date | number | undefined;
  /** Queue to use instead of the class's (the queue-name prefix applies). Default: the class's queue. */
  queue?: string | undefined;
  /** Priority to use instead of the class's (lower = more important). Default: the class's priority. */
  priority?: number | undefined;
  /** For a class with `static unique`: `false` enqueues without the uniqueness check, `{ ttl }` changes how long the lock lasts. */
  unique?: false | { ttl?: number | undefined } | undefined;
}

/** Later options win; a later wait replaces an earlier waitUntil and the other way round. */
export function mergeSetOptions(earlier: SetOptions, later: SetOptions): SetOptions {
  // An option given as undefined keeps the earlier value (as if it were not given).
  const merged: SetOptions = { ...earlier };
  for (const [key, value] of Object.entries(later) as [keyof SetOptions, SetOptions[keyof SetOptions]][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  if (later.wait !== undefined) delete merged.waitUntil;
  if (later.waitUntil !== undefined) delete merged.wait;
  return merged;
}

/** Apply options to a job, as Rails' `job.set`: the delay is computed from `now`. */
export function applySetOptions(job: Job, options: SetOptions, now: number = Date.now()): void {
  const { wait, waitUntil, queue, priority } = options;
  if (wait !== undefined && waitUntil !== undefined) {
    throw new ConfigurationError('set: give either wait or waitUntil, not both');
  }
  if (wait !== undefined) {
    if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) {
      throw new ConfigurationError(`set: wait must be milliseconds >= 0 (got ${String(wait)})`);
    }
    job.scheduledAt = new Date(now + wait);
  }
  if (waitUntil !== undefined) {
    const at = waitUntil instanceof Date ? waitUntil.getTime() : waitUntil;
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      throw new ConfigurationError(`set: waitUntil must be a valid Date or epoch milliseconds (got ${String(waitUntil)})`);
    }
    job.scheduledAt = new Date(at);
  }
  if (queue !== undefined) {
    if (typeof queue !== 'string' || queue.length === 0) {
      throw new ConfigurationError(`set: queue must be a non-empty string (got ${String(queue)})`);
    }
    job.queueName = queueNameFromPart(job.constructor as JobClassSettings, queue);
  }
  if (priority !== undefined) job.priority = assertPriority(priority);
  if (options.unique !== undefined) {
    if (options.unique !== false) validateUnique('set', { ttl: options.unique.ttl });
    internalsOf(job).uniqueOverride = options.unique;
  }
}
