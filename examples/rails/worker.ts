// Rails -> warren, the warren side: a worker that performs the ReportJob Rails enqueues with
// examples/rails/enqueue.rb, printing what each perform received as one JSON line.
//
//   npx tsx examples/rails/worker.ts [--queue reports] [--count N]   (AMQP_URL; Ctrl-C stops)
//   ruby examples/rails/enqueue.rb --queue reports
import { parseArgs } from 'node:util';
import { Worker } from '../../src/index.js';
import { onReport, registry } from './report-job.js';

const { values } = parseArgs({ options: { queue: { type: 'string', default: 'reports' }, count: { type: 'string' } } });
const count = values.count === undefined ? Infinity : Number(values.count);

const worker = new Worker({ url: process.env.AMQP_URL, registry, queues: [values.queue!], handleSignals: true });
let seen = 0;
onReport((run) => {
  process.stdout.write(`${JSON.stringify(run)}\n`);
  seen += 1;
  if (seen >= count) void worker.stop();
});
await worker.start();
process.stderr.write(`waiting for ReportJob on "${values.queue}"\n`);
