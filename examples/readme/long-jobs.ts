// README.md's "Long jobs (continuations)", against the broker at AMQP_URL (a virtual host of its own in the README test):
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/scratch npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/long-jobs.ts
import { AmqpAdapter, configure, Job, JobRegistry, type Step, Worker } from 'warren';

const url = process.env.AMQP_URL;
const imported: number[] = [];
let downloads = 0;
/** A large file, read in batches of 100 rows from `offset` (a stand-in for a CSV reader). */
const file = {
  rows: 2_000,
  async download(_name: string, _to: string): Promise<void> {
    downloads += 1;
  },
  async batchAt(_path: string, offset: number): Promise<number[]> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return Array.from({ length: Math.max(0, Math.min(100, this.rows - offset)) }, (_, index) => offset + index);
  },
};
const db = { insert: async (rows: number[]) => void imported.push(...rows) };
configure({ adapter: new AmqpAdapter({ url }) });

// README:begin
class ImportFileJob extends Job {
  static override maxResumptions = 50; // then ResumeLimitError, handled by the retry rules like any error
  static {
    this.queueAs('file-imports');
  }

  async perform(name: string): Promise<void> {
    // Code outside steps runs on every run; a completed step is skipped when the job resumes.
    const path = `/tmp/${name}`;
    await this.step('download', () => file.download(name, path));

    // The cursor is the offset of the next batch. advance/set are checkpoints: when the worker
    // stops (SIGTERM, a deploy) or the delivery nears the queue's consumer timeout, the job stops
    // there, its progress is published as a continuation (confirmed), and this delivery is acked.
    await this.step(
      'import',
      async (step: Step<number>) => {
        for (let offset = step.cursor; offset < file.rows; offset += 100) {
          await db.insert(await file.batchAt(path, offset));
          await step.set(offset + 100);
        }
      },
      { start: 0 },
    );

    await this.step('finish', () => this.logger.info({ name, resumptions: this.resumptions }, 'import finished'));
  }
}

// A worker that knows the broker's consumer_timeout (when it is not RabbitMQ's 30 minutes).
const worker = new Worker({ url, registry: new JobRegistry().register(ImportFileJob), continuation: { consumerTimeoutMs: 60 * 60_000 } });
// README:end

await worker.start();
await ImportFileJob.performLater('orders.csv');
while (imported.length < 500) await new Promise((resolve) => setTimeout(resolve, 20));
await worker.stop(); // the job stops at its next checkpoint; its continuation waits in the queue
const second = new Worker({ url, registry: new JobRegistry().register(ImportFileJob) });
await second.start();
const deadline = Date.now() + 60_000;
while (imported.length < file.rows) {
  if (Date.now() > deadline) throw new Error(`only ${imported.length} rows imported`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await second.stop();
if (new Set(imported).size !== file.rows || imported.length !== file.rows) throw new Error('a batch was imported twice');
if (downloads !== 1) throw new Error(`downloaded ${downloads} times`);
console.log('long jobs ok');
process.exit(0);
