import { ConfigurationError, JobTimeoutError } from '../errors.js';
import { jobNameOf, type JobClassSettings } from './job-class.js';
import type { Job } from './job.js';

/**
 * Run `work` bounded by the class's `timeout` (ms): when it expires, the job's signal
 * is aborted with a JobTimeoutError and the execution fails with it (the perform
 * promise is abandoned; perform should stop when `this.signal` aborts).
 */
export async function withTimeout<T>(job: Job, timeoutMs: number, controller: AbortController, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`${jobNameOf(job.constructor as JobClassSettings)} ${job.jobId} timed out after ${timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  let running: Promise<T>;
  try {
    running = work();
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
  running.catch(() => undefined); // an abandoned perform may still fail later
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The class's perform timeout in ms, validated; undefined when it declares none. */
export function timeoutOf(jobClass: JobClassSettings): number | undefined {
  const timeout = jobClass.timeout;
  if (timeout === undefined) return undefined;
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw new ConfigurationError(`${jobClass.name}.timeout must be a positive number of milliseconds (got ${timeout})`);
  }
  return timeout;
}
