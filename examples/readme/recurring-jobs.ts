// README.md's "Recurring jobs (cron)", against the broker at AMQP_URL (a virtual host of its own in the README test):
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/scratch npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/recurring-jobs.ts
import { Job, JobRegistry, Worker } from 'warren';

const url = process.env.AMQP_URL;
const pings: string[] = [];
const reports = { build: async (_kind: string) => {} };
const monitoring = {
  ping: async (jobId: string) => {
    pings.push(jobId);
  },
};

// README:begin
class NightlyReportJob extends Job {
  async perform(kind: string): Promise<void> {
    await reports.build(kind);
  }
}

class HeartbeatJob extends Job {
  async perform(): Promise<void> {
    await monitoring.ping(this.jobId); // "heartbeat@2026-12-06T10:00:01.000Z"
  }
}

const registry = new JobRegistry().register(NightlyReportJob, HeartbeatJob);
const worker = new Worker({
  url,
  registry,
  schedules: [
    // 02:30 in Madrid every day, daylight saving time included; after an outage, one run for the missed ones.
    { name: 'nightly-report', cron: '30 2 * * *', timezone: 'Europe/Madrid', job: NightlyReportJob, args: ['daily'], missed: 'once' },
    // Every second (or a cron with seconds: '* * * * * *').
    { name: 'heartbeat', every: '1s', job: HeartbeatJob },
  ],
});
await worker.start(); // of all the workers given these schedules, one leads and enqueues each tick once
// README:end

const deadline = Date.now() + 30_000;
while (pings.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
await worker.stop();
if (pings.length < 2 || !pings.every((id) => /^heartbeat@\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/.test(id))) throw new Error(`unexpected pings: ${pings.join(', ')}`);
if (new Set(pings).size !== pings.length) throw new Error('a tick ran twice');
console.log('recurring jobs ok');
