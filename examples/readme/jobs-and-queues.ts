// The "Queue, prefix and priority" and "Enqueueing" examples of docs/jobs.md, run with the test adapter.
import { Job, JobRegistry, configure, performAllLater } from 'warren';
import { TestAdapter, enqueuedJobs } from 'warren/testing';

class WelcomeEmailJob extends Job {
  async perform(email: string, subject: string) {}
}
const user = 'ada@example.com';
const adapter = new TestAdapter({ registry: new JobRegistry() });
configure({ adapter });

// README:begin
class ReportJob extends Job {
  static {
    this.queueAs('reports');                                    // a name...
    this.queueAs(function (this: ReportJob) {                   // ...or a function of the arguments
      return this.arguments[0] === 'urgent' ? 'reports_urgent' : 'reports';
    });
    this.queueWithPriority(10);                                 // lower number = more important
  }
  static override queueNamePrefix = null;                       // opt out of the global prefix
  async perform(period: string) {}
}

configure({ queueNamePrefix: 'production', queueNameDelimiter: '_' }); // -> production_reports
// README:end

// README:begin
const job = await ReportJob.performLater('monthly');             // resolves once the broker confirmed
await ReportJob.set({ wait: 5 * 60_000 }).performLater('weekly'); // delay in ms
await ReportJob.set({ waitUntil: new Date('2026-12-01T08:00:00Z'), queue: 'low', priority: 20 }).performLater('x');
await ReportJob.performNow('inline');                             // in this process, callbacks and rules included

// One bulk call to the adapter; enqueue callbacks do not run; each job tells its outcome.
const count = await performAllLater([
  new ReportJob('a'),
  ReportJob.build('b').set({ wait: 1_000 }),
  new WelcomeEmailJob(user, 'hi'),
]);
// README:end

const queues = enqueuedJobs(adapter).map((recorded) => recorded.envelope.queue_name);
if (count !== 3 || job.queueName !== 'reports') throw new Error(`unexpected: ${count} ${job.queueName}`);
if (!queues.includes('low') || !queues.includes('production_default')) throw new Error(`unexpected queues ${queues.join(', ')}`);
console.log(queues.join(' '));
