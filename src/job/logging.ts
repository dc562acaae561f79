import type { Level, Logger } from 'pino';
import { settings } from '../config/configuration.js';
import { directLine } from '../config/logger.js';
import { flatFieldsJson, identityJson } from './log-line-json.js';
import { jobNameOf } from './job-class.js';
import type { JobClassSettings } from './job-class.js';
import { internalsOf } from './internal-state.js';
import type { Job } from './job.js';

/**
 * Log lines of a job's life: enqueued, performed (with duration_ms), skipped, retried,
 * discarded, failed. Every line of an execution comes from a child logger bound to
 * job_class, job_id, queue and executions. Argument values are logged only when
 * settings().logArguments is on (default DEFAULTS.logArguments, off), and then
 * through settings().redactArguments.
 */
export function jobLogger(base: Logger, job: Job): Logger {
  return base.child(jobFields(job));
}

/** The fields that identify a job in every line about it. */
export function jobFields(job: Job): { job_class: string; job_id: string; queue: string; executions: number } {
  return {
    job_class: jobNameOf(job.constructor as JobClassSettings),
    job_id: job.jobId,
    queue: job.queueName,
    executions: job.executions,
  };
}

/**
 * During an execution, its child logger, built on first use: most executions log one line,
 * written through the parent with jobFields, and a pino child per job would cost more than
 * the line (docs/performance.md). Undefined outside an execution.
 */
export function executionLogger(job: Job): Logger | undefined {
  const state = internalsOf(job);
  if (!state.logger && state.loggerParent) state.logger = state.loggerParent.child(state.lineFields ?? jobFields(job));
  return state.logger;
}

/**
 * Writes one line about `job`: through its execution's child logger when one was built, else
 * through the execution's parent logger (outside an execution, settings().logger) with
 * jobFields in the line. The same line either way, without building a child for it. With
 * warren's own logger and flat fields (the `performed` and `enqueued` lines), the line is
 * written as JSON directly (directLine), byte for byte what pino would write, at a fifth of the cost.
 */
export function logJobLine(job: Job, level: Level, fields: Record<string, unknown>, message: string): void {
  const state = internalsOf(job);
  if (state.logger) {
    state.logger[level](fields, message);
    return;
  }
  const base = state.loggerParent ?? settings().logger;
  if (!base.isLevelEnabled(level)) return;
  const start = state.lineFields ?? jobFields(job);
  const fieldsJson = flatFieldsJson(fields);
  if (fieldsJson !== undefined && directLine(base, level, identityJson(start) + fieldsJson, message)) return;
  // Object.assign onto a fresh object: an object spread here costs twice the whole line.
  const line = { job_class: start.job_class, job_id: start.job_id, queue: start.queue, executions: start.executions };
  base[level](Object.assign(line, fields), message);
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
