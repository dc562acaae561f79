// The "Testing your jobs" example of docs/adapters.md, as an application test would run it.
import { Job, JobRegistry, configure } from 'warren';

class WelcomeEmailJob extends Job {
  static {
    this.queueAs('mailers');
  }
  async perform(email: string) {}
}
const registry = new JobRegistry().register(WelcomeEmailJob);
const SignupService = {
  async register(email: string) {
    await WelcomeEmailJob.performLater(email);
  },
};

// README:begin
import { TestAdapter, assertEnqueued, performEnqueuedJobs } from 'warren/testing';

const adapter = new TestAdapter({ registry });
configure({ adapter });
await SignupService.register('ada@example.com');
assertEnqueued(adapter, { job: WelcomeEmailJob, args: ['ada@example.com'], queue: 'mailers' }, 1);
await performEnqueuedJobs(adapter, { untilEmpty: true });
// README:end

console.log('testing ok');
