import type { Logger } from 'pino';
import { settings } from '../config/configuration.js';
import { jobNameOf } from './job-name.js';
import type { JobClassSettings } from './job-class.js';
import type { Job } from './job.js';

/**
 * Log lines of a job's life: enqueued, performed (with duration_ms), skipped, retried,
 * discarded, failed. Every line of an execution comes from a child logger bound to
 * job_class, job_id, queue and executions. Argument values are logged only when
 * settings().logArguments is on (default DEFAULTS.logArguments, off), and then
 * through settings().redactArguments.
 */
export function jobLogger(base: Logger, job: Job): Logger {
  return base.child({
    job_class: jobNameOf(job.constructor as JobClassSettings),
    job_id: job.jobId,
    queue: job.queueName,
    executions: job.executions,
  });
}

/** `{ arguments }` when the application opted in to argument logging, else `{}`. */
export function argumentFields(job: Job): { arguments?: unknown } {
  const config = settings();
  return config.logArguments ? { arguments: config.redactArguments(job.arguments) } : {};
}

/** A short, value-free description of an error for log fields. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
