import type { QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import { ConfigurationError } from '../errors.js';
import { internalsOf } from '../job/internal-state.js';
import type { Job } from '../job/job.js';
import type { JobClassSettings } from '../job/job-class.js';
import { jobNameOf } from '../job/job-name.js';

/**
 * Where a job is enqueued: the adapter that delivered it (so retries go back where the
 * job came from), else its class's static `adapter` (inherited), else settings().adapter.
 * Throws ConfigurationError when there is none.
 */
export function adapterFor(job: Job): QueueAdapter {
  const jobClass = job.constructor as JobClassSettings;
  const adapter = internalsOf(job).deliveringAdapter ?? jobClass.adapter ?? settings().adapter;
  if (!adapter) {
    const name = jobNameOf(jobClass);
    throw new ConfigurationError(`no queue adapter for ${name}: call configure({ adapter }) or set ${jobClass.name}.adapter`);
  }
  return adapter;
}
