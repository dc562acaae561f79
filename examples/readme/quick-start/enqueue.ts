// The README's quick start, part 2: enqueue from a script, which then exits.
// README:begin
// enqueue.ts (a web process, a script): enqueue, then close the adapter so a script can exit
import { AmqpAdapter, configure } from 'warren';
import { ResizeImageJob } from './jobs.js';

const adapter = new AmqpAdapter(); // AMQP_URL, else amqp://guest:guest@127.0.0.1:5672
configure({ adapter });
const job = await ResizeImageJob.performLater('img_1', 640);
console.log(job.jobId, job.successfullyEnqueued);
await adapter.close(); // a long-running web process keeps it open instead
// README:end
