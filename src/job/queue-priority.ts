import { ConfigurationError } from '../errors.js';
import { configKey, nearest, setOwn } from './class-config.js';
import type { PerformArgs } from './job-class.js';
import type { Job } from './job.js';

/**
 * Priorities, as Active Job's `queue_with_priority`: a static integer or a function of
 * the perform arguments (`this` = the job). Active Job's convention: a lower number is
 * more important; adapters translate (the AMQP adapter maps it onto RabbitMQ's
 * higher-is-first priorities). No priority = undefined (null in the envelope).
 */
export type PrioritySetting<J extends Job> = number | ((this: J, ...args: PerformArgs<J>) => number | undefined);

const priorityKey = configKey<PrioritySetting<Job>>('queue.priority');

export function declarePriority<J extends Job>(jobClass: object, setting: PrioritySetting<J>): void {
  if (typeof setting !== 'function') assertPriority(setting);
  setOwn(jobClass, priorityKey, setting as PrioritySetting<Job>);
}

/** The priority for `job` from its class's queueWithPriority, or undefined. */
export function resolvePriority(job: Job): number | undefined {
  const setting = nearest(job.constructor, priorityKey);
  if (setting === undefined) return undefined;
  const value = typeof setting === 'function' ? (setting as (...args: unknown[]) => unknown).apply(job, job.arguments) : setting;
  return value === undefined || value === null ? undefined : assertPriority(value);
}

/** Priorities are safe integers (negative allowed, as in Active Job). */
export function assertPriority(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConfigurationError(`a priority must be an integer (got ${String(value)})`);
  }
  return value;
}
