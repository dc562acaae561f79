import { ConfigurationError } from '../errors.js';
import type { JobClassSettings } from './job-class.js';

/**
 * The name written as `job_class` and looked up in the registry: the class's own
 * static `jobName` when it declares one, else the class name. `jobName` is not
 * inherited (a subclass is another job), so set it on every class whose name a
 * bundler may rename. Rails jobs use their Ruby class name, e.g. 'Billing::ChargeJob'.
 */
export function jobNameOf(jobClass: JobClassSettings): string {
  const own = Object.hasOwn(jobClass, 'jobName') ? jobClass.jobName : undefined;
  const name = own ?? jobClass.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigurationError('a job class needs a name: declare `static jobName = "..."`');
  }
  return name;
}
