import { settings } from '../config/configuration.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import { configKey, nearest, setOwn } from './class-config.js';
import type { JobClassSettings, PerformArgs } from './job-class.js';
import type { Job } from './job.js';

/**
 * Queue names, as Active Job's `queue_as`: a static name, or a function of the perform
 * arguments (called with `this` = the job). The queue-name prefix is applied to every
 * name the job layer produces (queueAs, the default queue, `set({ queue })`, retryOn's
 * `queue`), never to a name read from an envelope:
 *
 *   prefix = the class's static `queueNamePrefix` if it (or an ancestor) sets one
 *            (`null` or '' disables it), else settings().queueNamePrefix (DEFAULTS.queueNamePrefix);
 *   delimiter = the class's static `queueNameDelimiter`, else settings().queueNameDelimiter
 *            (DEFAULTS.queueNameDelimiter, '_');
 *   name = prefix ? prefix + delimiter + part : part.
 *
 * Unlike Rails, the prefix is read when the job is enqueued (not when `queueAs` runs),
 * and the default queue ("default", DEFAULTS.queueName) is prefixed too.
 */
export type QueueNameSetting<J extends Job> = string | ((this: J, ...args: PerformArgs<J>) => string);

const queueKey = configKey<QueueNameSetting<Job>>('queue.name');

export function declareQueue<J extends Job>(jobClass: object, setting: QueueNameSetting<J>): void {
  if (typeof setting !== 'function') assertQueuePart(setting);
  setOwn(jobClass, queueKey, setting as QueueNameSetting<Job>);
}

/** The queue for `job`, from its class's queueAs (or the default queue), prefix applied. */
export function resolveQueueName(job: Job): string {
  const jobClass = job.constructor as JobClassSettings;
  const setting = nearest(jobClass, queueKey) ?? DEFAULTS.queueName;
  const part = typeof setting === 'function' ? (setting as (...args: unknown[]) => unknown).apply(job, job.arguments) : setting;
  return queueNameFromPart(jobClass, assertQueuePart(part));
}

/** The queue name the class always uses (prefix applied), or undefined when it depends on the arguments. */
export function staticQueueName(jobClass: JobClassSettings): string | undefined {
  const setting = nearest(jobClass, queueKey) ?? DEFAULTS.queueName;
  return typeof setting === 'function' ? undefined : queueNameFromPart(jobClass, setting);
}

/** Apply the class's queue-name prefix and delimiter to `part`. */
export function queueNameFromPart(jobClass: JobClassSettings, part: string): string {
  const prefix = jobClass.queueNamePrefix === undefined ? settings().queueNamePrefix : jobClass.queueNamePrefix;
  const delimiter = jobClass.queueNameDelimiter ?? settings().queueNameDelimiter;
  return prefix ? `${prefix}${delimiter}${part}` : part;
}

function assertQueuePart(part: unknown): string {
  if (typeof part !== 'string' || part.length === 0) {
    throw new ConfigurationError(`a queue name must be a non-empty string (got ${JSON.stringify(part) ?? String(part)})`);
  }
  return part;
}
