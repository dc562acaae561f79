import type { Level, Logger } from 'pino';
import { settings } from '../config/configuration.js';
import { directLine } from '../config/logger.js';
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

/** Quoted job class and queue names, which repeat from job to job (bounded: names come from envelopes). */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 1_000;

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < MAX_QUOTED_NAMES) quotedNames.set(name, quoted);
  }
  return quoted;
}

function identityJson(fields: { job_class: string; job_id: string; queue: string; executions: number }): string {
  return `,"job_class":${quotedName(fields.job_class)},"job_id":${JSON.stringify(fields.job_id)},"queue":${quotedName(fields.queue)},"executions":${jsonNumber(fields.executions)}`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * `fields` as `,"key":value` pairs, as pino writes them (undefined left out, a non-finite number
 * as null), when every value is a string, number, boolean, null or undefined; otherwise
 * undefined (errors, arguments: pino's serializers handle those).
 */
function flatFieldsJson(fields: Record<string, unknown>): string | undefined {
  let json = '';
  for (const key in fields) {
    const value = fields[key];
    let text: string;
    switch (typeof value) {
      case 'undefined':
        continue;
      case 'string':
        text = JSON.stringify(value);
        break;
      case 'number':
        text = jsonNumber(value);
        break;
      case 'boolean':
        text = value ? 'true' : 'false';
        break;
      default:
        if (value !== null) return undefined;
        text = 'null';
    }
    json += `,${quotedName(key)}:${text}`;
  }
  return json;
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
