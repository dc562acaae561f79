// README.md's "Live workers, stats and control", against the broker at AMQP_URL (a virtual host of its own in the README test):
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/scratch npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/operate.ts
import { AmqpAdapter, configure, Job, JobRegistry, Worker } from 'warren';
import { StatsReader, WorkerMonitor } from 'warren/rabbitmq';

const url = process.env.AMQP_URL;
const rows = Array.from({ length: 1_000 }, (_, index) => index);
const imported: number[] = [];
const importRow = async (row: number): Promise<void> => {
  imported.push(row);
  await new Promise((resolve) => setTimeout(resolve, 20));
};
const adapter = new AmqpAdapter({ url });
configure({ adapter });

// README:begin
class ImportJob extends Job {
  static {
    this.queueAs('imports');
  }
  async perform(file: string): Promise<void> {
    for (const [index, row] of rows.entries()) {
      // An operator's cancel (dashboard, `warren workers cancel <job id>`) aborts this.signal.
      if (this.signal.aborted) throw this.signal.reason; // a JobCancelledError: dead-lettered, retryable from there
      await importRow(row);
      if (index % 100 === 0) this.progress({ file, done: index, of: rows.length }); // shown in heartbeats and the dashboard
    }
  }
}
// README:end

const registry = new JobRegistry().register(ImportJob);
const worker = new Worker({ url, registry, queues: ['imports'] });
await worker.start();
const job = await ImportJob.performLater('rows.csv');

// README:begin
const monitor = await WorkerMonitor.open({ url });            // heartbeats in, control messages out
const [live] = await monitor.workers({ refresh: true });       // host, pid, state, running jobs and their progress
await monitor.cancel(job.jobId);                               // or .quiet(live.id), .stop(live.id), .quiet('all')

const stats = await StatsReader.open({ url, monitor });        // what `warren stats --json` prints
const { queues, delayed, deadLetters } = await stats.snapshot();
// README:end

if (!live || live.id !== worker.id) throw new Error('the worker did not report itself');
if (!queues.some((queue) => queue.name === 'imports')) throw new Error('no imports queue in the stats');
const deadline = Date.now() + 20_000;
while (!(await stats.snapshot()).deadLetters.byReason.failed) {
  if (Date.now() > deadline) throw new Error('the cancelled job was not dead-lettered as failed');
}
if (imported.length >= rows.length) throw new Error('the job was not cancelled');
console.log(`stats: ${delayed.length} delay windows, ${deadLetters.total} dead letters at the first snapshot`);
await stats.close();
await monitor.close();
await worker.stop();
await adapter.close();
console.log(`operate ok: cancelled after ${imported.length} rows`);
