import { performLater } from './enqueuing.js';
import { instantiate, type JobClass, type PerformArgs, type PerformResult } from './job-class.js';
import type { Job } from './job.js';
import { applySetOptions, mergeSetOptions, type SetOptions } from './set-options.js';

/**
 * What `Job.set(options)` returns (Active Job's ConfiguredJob): the same entry points
 * as the class, with the options applied to every job it creates. The delay of
 * `wait` is counted from the moment the job is enqueued (or built, for build()).
 */
export class ConfiguredJob<J extends Job> {
  constructor(
    private readonly jobClass: JobClass<J>,
    private readonly options: SetOptions,
  ) {}

  /** More options; later ones win. */
  set(options: SetOptions): ConfiguredJob<J> {
    return new ConfiguredJob(this.jobClass, mergeSetOptions(this.options, options));
  }

  /** Enqueue with these options; see Job.performLater. */
  performLater(...args: PerformArgs<J>): Promise<J> {
    return performLater(instantiate(this.jobClass, args), this.options);
  }

  /** Perform in-process with these options (they matter for retries); see Job.performNow. */
  performNow(...args: PerformArgs<J>): Promise<PerformResult<J> | undefined> {
    return this.build(...args).performNow() as Promise<PerformResult<J> | undefined>;
  }

  /** A job with these options applied, for performAllLater. */
  build(...args: PerformArgs<J>): J {
    const job = instantiate(this.jobClass, args);
    applySetOptions(job, this.options);
    return job;
  }
}
