// Enqueue throughput of a warren checkout (ROOT, default this one): 20,000 jobs by performAllLater
// (batches of 1,000), then 5,000 performLater with 1,000 in flight; prints jobs/s as JSON. Pair two
// checkouts whole-process with: farm-bench --vs 'env ROOT=<old> node --import tsx bench/publish-throughput.ts' -- node --import tsx bench/publish-throughput.ts
import amqplib from 'amqplib';
const root = process.env.ROOT ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '');
// Loaded by path (another checkout can be measured): typed as this checkout's API.
const w = (await import(`${root}/src/index.ts`)) as typeof import('../src/index.js');
const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = `pubbench-${process.pid}`;
class PubJob extends w.Job {
  static override jobName = 'PubJob';
  async perform(_payload: string): Promise<void> {}
}
const { pino } = await import('pino');
w.configure({ adapter: new w.AmqpAdapter({ url }), logger: pino({ level: 'warn' }) });
const payload = 'x'.repeat(150);
await PubJob.set({ queue }).performLater(payload);
let t = performance.now();
for (let i = 0; i < 20; i += 1) await w.performAllLater(Array.from({ length: 1000 }, () => PubJob.set({ queue }).build(payload)));
const bulk = 20_000 / ((performance.now() - t) / 1000);
t = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 1000 }, async () => {
    while (next < 5000) {
      next += 1;
      await PubJob.set({ queue }).performLater(payload);
    }
  }),
);
const single = 5_000 / ((performance.now() - t) / 1000);
console.log(JSON.stringify({ bulk: Math.round(bulk), single: Math.round(single) }));
const c = await amqplib.connect(url);
const ch = await c.createChannel();
await ch.deleteQueue(queue);
await c.close();
process.exit(0);
