// The callbacks example of docs/jobs.md, run with the test adapter.
import { Job, JobRegistry, abort, configure } from 'warren';
import { TestAdapter } from 'warren/testing';

configure({ adapter: new TestAdapter({ registry: new JobRegistry() }) });

// README:begin
class ImportJob extends Job {
  static {
    this.beforeEnqueue((job) => { if (!job.arguments[0]) throw abort('nothing to import'); });
    this.aroundPerform(async (job, next) => { const t = Date.now(); await next(); job.logger.info({ ms: Date.now() - t }); });
    this.afterPerform('notify');                                  // a method name works too
  }
  notify() {}
  async perform(file: string) {}
}
// README:end

const halted = await ImportJob.performLater('');
const enqueued = await ImportJob.performLater('users.csv');
await ImportJob.performNow('users.csv');
if (halted.successfullyEnqueued || !enqueued.successfullyEnqueued) throw new Error('beforeEnqueue did not halt the empty import');
console.log('callbacks ok');
