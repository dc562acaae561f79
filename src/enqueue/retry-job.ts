import type { Job } from '../job/job.js';
import { errorName } from '../job/logging.js';
import { internalsOf } from '../job/internal-state.js';
import { enqueueJob, enqueueLogger } from './enqueue-job.js';
import type { SetOptions } from './set-options.js';

export interface RetryJobOptions extends SetOptions {
  /** The error that caused the retry (for the log line). */
  error?: unknown;
}

/**
 * Active Job's `retry_job`: enqueue the job again (the enqueue callbacks run, as in
 * Rails) with its current executions and exceptionExecutions. Always scheduled, so it
 * goes through the adapter's `enqueueAt`: without wait/waitUntil it is scheduled now.
 *
 * Resolves true when enqueued, false when an enqueue callback halted it (the job will
 * not run again; logged as a warning). Unlike Rails, an adapter failure is not
 * swallowed: it rejects with the EnqueueError, so a worker does not acknowledge a job
 * whose retry was lost.
 */
export async function retryJob(job: Job, options: RetryJobOptions = {}): Promise<boolean> {
  const { error, ...setOptions } = options;
  const scheduled: SetOptions =
    setOptions.wait === undefined && setOptions.waitUntil === undefined ? { ...setOptions, wait: 0 } : setOptions;
  const enqueued = await enqueueJob(job, scheduled);
  const logger = enqueueLogger(job);
  if (job.enqueueError) throw job.enqueueError;
  if (!enqueued) {
    logger.warn({ event: 'retry_halted', error: errorName(error) }, 'retry halted by an enqueue callback; the job will not run again');
    return false;
  }
  internalsOf(job).retried = true;
  // An expected retry, as Rails logs it: the error's class and message, not its stack (that at debug).
  logger.warn(
    {
      event: 'retried',
      ...(logger.isLevelEnabled('debug') ? { err: error } : { error_class: error instanceof Error ? error.constructor.name : typeof error, error_message: error instanceof Error ? error.message : undefined }),
      wait_ms: setOptions.wait,
      scheduled_at: job.scheduledAt?.toISOString(),
      retry_queue: job.queueName,
      exception_executions: job.exceptionExecutions,
    },
    'retried',
  );
  return true;
}
