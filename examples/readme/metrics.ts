// The Prometheus example of README.md ("Metrics (Prometheus)"): a worker whose metrics are served
// on GET /metrics, one job performed and seen in a scrape, then stopped. Needs prom-client (a dev
// dependency of this checkout) and the broker at AMQP_URL.
import { AmqpAdapter, Job, JobRegistry, WarrenMetrics, Worker, configure } from 'warren';

class ResizeImageJob extends Job {
  static override jobName = 'ResizeImageJob';
  static {
    this.queueAs('images');
  }
  async perform(imageId: string, width: number) {
    void imageId;
    void width;
  }
}
const registry = new JobRegistry().register(ResizeImageJob);
const adapter = new AmqpAdapter();
configure({ adapter });

// README:begin
const metrics = new WarrenMetrics(); // prom-client must be installed: npm install prom-client
const worker = new Worker({ registry, queues: ['images'] });
metrics.observeWorker(worker); // before start(), so it sees the connection come up
metrics.observeAdapter(adapter); // warren_jobs_enqueued_total of the jobs this process enqueues
const server = await metrics.serve({ port: 9464 }); // http://127.0.0.1:9464/metrics
await worker.start();
// ...and on shutdown: await worker.stop(); await server.close();
// Or mount metrics.handler(), a (req, res) handler, on a route of your own HTTP server.
// README:end

await ResizeImageJob.performLater('img_1', 640);
const performed = 'warren_jobs_performed_total{job_class="ResizeImageJob",queue="images"} 1';
for (let tries = 0; !(await (await fetch(server.url)).text()).includes(performed); tries++) {
  if (tries > 200) throw new Error(`no "${performed}" in the scrape`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await worker.stop();
await server.close();
await adapter.close();
console.log('metrics ok');
