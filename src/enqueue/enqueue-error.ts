import type { QueueAdapter } from '../adapters/adapter.js';
import { EnqueueError } from '../errors.js';
import type { Job } from '../job/job.js';
import type { JobClassSettings } from '../job/job-class.js';
import { jobNameOf } from '../job/job-name.js';

/** An adapter's rejection as an EnqueueError: kept as is when it is one, else wrapped (cause kept). */
export function toEnqueueError(error: unknown, job: Job, adapter: QueueAdapter): EnqueueError {
  if (error instanceof EnqueueError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const name = jobNameOf(job.constructor as JobClassSettings);
  return new EnqueueError(`${name} ${job.jobId} was not enqueued on the ${adapter.name} adapter: ${reason}`, { cause: error });
}
