// The warren side of the ReportJob that examples/rails/report_job.rb defines for Rails: the
// same job class name on the wire, so each app performs what the other enqueues.
import { GlobalId, Job, JobRegistry, currentLocale, currentTimezone, registerLocator } from '../../src/index.js';

/** What a performed ReportJob received, printed by worker.ts as one JSON line. */
export interface ReportRun {
  jobId: string;
  locale: string;
  timezone: string;
  /** Each argument as `inspect` shows it (its JS type and value: RubySymbol, CalendarDate, bigint...). */
  arguments: string[];
}

const runs: Array<(run: ReportRun) => void> = [];

/** Called with every ReportJob performed in this process. */
export function onReport(listener: (run: ReportRun) => void): void {
  runs.push(listener);
}

export class ReportJob extends Job {
  static override jobName = 'ReportJob'; // Rails' class name is the job_class
  static {
    this.queueAs('reports');
  }

  async perform(...args: unknown[]): Promise<void> {
    const { inspect } = await import('node:util');
    const run: ReportRun = {
      jobId: this.jobId,
      locale: currentLocale(),
      timezone: currentTimezone(),
      arguments: args.map((arg) => inspect(arg, { depth: 4, breakLength: Infinity })),
    };
    for (const listener of runs) listener(run);
  }
}

/** A warren model that identifies itself as the Rails app's record: `gid://shop/User/42`. */
export class ShopUser {
  constructor(readonly id: number) {}
  toGlobalId(): GlobalId {
    return GlobalId.create('User', this.id, { app: 'shop' });
  }
}

// Rails sends `gid://shop/User/42`: the worker finds the record through a registered locator only.
registerLocator('User', { find: (id) => new ShopUser(Number(id)) });

export const registry = new JobRegistry().register(ReportJob);
