import type { QueueAdapter } from '../adapters/adapter.js';
import { ConfigurationError } from '../errors.js';
import type { Job } from './job.js';

/** The parameters of a job's `perform`, which performLater/performNow/build accept. */
export type PerformArgs<J> = J extends { perform(...args: infer A): unknown } ? A : never;

/** What a job's `perform` resolves to (performNow returns it). */
export type PerformResult<J> = J extends { perform(...args: never[]): infer R } ? Awaited<R> : never;

/** The names of a job's public methods (callbacks and handlers may be given by method name). */
export type JobMethodName<J> = {
  [K in keyof J]: J[K] extends (...args: never[]) => unknown ? K : never;
}[keyof J] &
  string;

/** The static settings every job class carries (declared on Job, inherited by subclasses). */
export interface JobClassSettings {
  readonly name: string;
  readonly jobName?: string | undefined;
  readonly timeout?: number | undefined;
  readonly adapter?: QueueAdapter | undefined;
  readonly queueNamePrefix?: string | null | undefined;
  readonly queueNameDelimiter?: string | undefined;
  readonly railsCompatibility?: '6.1' | '7.1' | undefined;
}

/** A concrete job class: `class SendEmailJob extends Job { ... }`. */
export type JobClass<J extends Job = Job> = (new (...args: never[]) => J) & JobClassSettings;

/** Any error class, for rescueFrom/retryOn/discardOn. */
export type ErrorClass<E = Error> = abstract new (...args: never[]) => E;

/** The class of a job instance. */
export function classOf<J extends Job>(job: J): JobClass<J> {
  return job.constructor as JobClass<J>;
}

/** `new jobClass(...args)`; the base constructor stores the arguments. */
export function instantiate<J extends Job>(jobClass: JobClass<J>, args: readonly unknown[]): J {
  return new (jobClass as unknown as new (...a: unknown[]) => J)(...args);
}

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
