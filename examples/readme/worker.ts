// The Worker example of docs/workers.md, run against the broker (in a virtual host of its own in
// the README test), then stopped.
import { Job, JobRegistry, Worker, defaultTopology } from 'warren';

class WelcomeEmailJob extends Job {
  static {
    this.queueAs('mailers');
  }
  async perform() {}
}
const registry = new JobRegistry().register(WelcomeEmailJob);
const topology = defaultTopology();
const alert = (jobId: string | undefined, reason: string) => console.error(`dead: ${jobId} ${reason}`);

// README:begin
const worker = new Worker({ registry, queues: ['mailers', 'images'], concurrency: 10, topology });
worker.events.on('job:dead', ({ jobId, reason }) => alert(jobId, reason));
await worker.start();
// README:end

await worker.stop();
console.log('worker ok');
