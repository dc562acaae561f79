// README.md's opening example and the locale line of docs/jobs.md, run with the test adapter (no broker):
//   npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/overview.ts
import { Job, JobRegistry, configure, currentLocale, registerLocator, withLocale } from 'warren';
import { TestAdapter, enqueuedJobs, performEnqueuedJobs } from 'warren/testing';

class User {
  constructor(
    readonly id: number,
    readonly email: string,
  ) {}
  toGlobalId() {
    return `gid://shop/User/${this.id}`;
  }
}
const users = new Map([[7, new User(7, 'ada@example.com')]]);
registerLocator('User', { find: (id) => users.get(Number(id)) });
class SmtpError extends Error {}
const sent: string[] = [];
const mailer = {
  send: async (to: string, subject: string) => {
    sent.push(`${to}: ${subject} (${currentLocale()})`);
  },
};
const user = users.get(7)!;
const registry = new JobRegistry();
const adapter = new TestAdapter({ registry });
configure({ adapter });

// README:begin
class WelcomeEmailJob extends Job {
  static {
    this.queueAs('mailers');
    this.retryOn(SmtpError, { attempts: 5, wait: 'polynomiallyLonger' });
  }
  async perform(user: User, subject: string) {
    await mailer.send(user.email, subject);
  }
}

await WelcomeEmailJob.performLater(user, 'Welcome!');                 // confirmed by RabbitMQ
await WelcomeEmailJob.set({ wait: 60_000 }).performLater(user, 'Still there?');
// README:end

// README:begin
await withLocale('es', () => WelcomeEmailJob.performLater(user, 'Welcome!'));
// inside perform: this.locale === 'es', currentLocale() === 'es'; likewise withTimezone / currentTimezone
// README:end

registry.register(WelcomeEmailJob);
const jobs = enqueuedJobs(adapter);
if (jobs.length !== 3 || jobs.some((job) => job.envelope.queue_name !== 'mailers')) throw new Error(`expected 3 jobs on mailers, got ${JSON.stringify(jobs)}`);
await performEnqueuedJobs(adapter, { untilEmpty: true });
console.log(sent.join('\n'));
