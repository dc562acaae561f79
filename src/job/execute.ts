import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import type { Envelope } from '../envelope/envelope.js';
import { isCurrentContext, withLocaleAndTimezone } from './context.js';
import { runJob, type ExecutionOutcome, type ExecutionSink } from './execution.js';
import { internalsOf } from './internal-state.js';
import type { JobRegistry } from './registry.js';
import type { Job } from './job.js';
import { jobFromEnvelope } from './serialization.js';

export type { ExecutionOutcome, ExecutionSink } from './execution.js';

export interface ExecuteOptions {
  /** Aborted on worker shutdown or job timeout; handed to perform through the job's context. */
  signal?: AbortSignal;
  /** Parent of the job's child logger. Default: settings().logger. */
  logger?: Logger;
  /** Where retries are enqueued; default: the job class's adapter (or the global default). */
  adapter?: QueueAdapter;
}

export interface ExecutionResult {
  outcome: ExecutionOutcome;
  durationMs: number;
}

/**
 * Perform one envelope: registry lookup, argument deserialization, locale/timezone
 * restored, perform callbacks, perform, and the job's rescue/retry/discard rules.
 * Resolves when the job is done with: performed, retried (the retry is already
 * durably enqueued), discarded, or skipped (a callback halted or an around callback
 * did not call next).
 * Rejects with UnknownJobError, DeserializationError (when not rescued), the job's own
 * error when no rule handles it or retries are exhausted, JobTimeoutError, or the
 * EnqueueError of a retry the adapter refused. Every rejection is logged ('failed')
 * before it reaches the caller, which need not log it again.
 */
export function executeEnvelope(envelope: Envelope, registry: JobRegistry, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  return new Promise((resolve, reject) => runEnvelope(envelope, registry, options, { ended: resolve, failed: reject }));
}

/**
 * executeEnvelope with its end handed to `sink` (see runJob): what the worker calls. The
 * sink receives an ExecutionResult (a PerformOutcome is one, plus perform's value).
 */
export function runEnvelope(envelope: Envelope, registry: JobRegistry, options: ExecuteOptions, sink: ExecutionSink): void {
  const logger = options.logger ?? settings().logger;
  let job: Job;
  try {
    let entry;
    try {
      entry = registry.resolve(envelope.job_class);
    } catch (error) {
      logger.error(
        { event: 'failed', job_class: envelope.job_class, job_id: envelope.job_id, queue: envelope.queue_name, err: error },
        'failed',
      );
      throw error;
    }
    job = jobFromEnvelope(entry.jobClass, envelope);
    if (options.adapter) internalsOf(job).deliveringAdapter = options.adapter;
  } catch (error) {
    sink.failed(error);
    return;
  }
  const performOptions = { logger, signal: options.signal };
  if (isCurrentContext(job.locale, job.timezone)) runJob(job, performOptions, sink);
  else withLocaleAndTimezone({ locale: job.locale, timezone: job.timezone }, () => runJob(job, performOptions, sink));
}
