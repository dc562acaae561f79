// Rate limits under load: 10 workers (each with its own connections, in this process) share one
// `static rateLimit = { limit: 50, per: 1000 }` and drain BENCH_RATE_JOBS jobs (default 750, 15 s
// at the limit). Prints the steady rate (the middle 80% of the starts) against the limit, and the
// most starts in any 1 s window against limit + burst (a sliding window allows no burst: 50).
//   npx tsx bench/rate-limit.ts
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { AmqpAdapter, configure, Job, JobRegistry, performAllLater, Worker } from '../src/index.js';
import { RatePermits } from '../src/amqp/rate-permits.js';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const JOBS = Number(process.env.BENCH_RATE_JOBS ?? 750);
const WORKERS = 10;
const LIMIT = 50;
const PER = 1_000;
const starts: number[] = [];
/** When each permit's confirm arrived: what the limiter grants, before the job waits its turn in a busy event loop. */
const grants: number[] = [];
const take = RatePermits.prototype.take;
RatePermits.prototype.take = async function (this: RatePermits, ...args: Parameters<RatePermits['take']>) {
  const granted = await take.apply(this, args);
  if (granted) grants.push(Date.now());
  return granted;
};

class RateBenchJob extends Job {
  static override jobName = 'RateBenchJob';
  static override rateLimit = { limit: LIMIT, per: PER };
  perform(_n: number): void {
    starts.push(Date.now());
  }
}

const queue = `bench-rate-${randomUUID().slice(0, 8)}`;
const logger = pino({ level: 'warn' });
configure({ logger });
const registry = new JobRegistry().register(RateBenchJob);
const producer = new AmqpAdapter({ url, logger });
configure({ adapter: producer, logger });
const workers = Array.from(
  { length: WORKERS },
  () => new Worker({ url, registry, queues: [queue], concurrency: 5, handleSignals: false, logger, presence: false }),
);
await Promise.all(workers.map((worker) => worker.start()));
const began = Date.now();
await performAllLater(Array.from({ length: JOBS }, (_, n) => RateBenchJob.set({ queue }).build(n)));
while (starts.length < JOBS) {
  if (Date.now() - began > (JOBS / LIMIT) * PER * 4 + 60_000) throw new Error(`only ${starts.length} of ${JOBS} jobs ran`);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await Promise.all(workers.map((worker) => worker.stop()));
await producer.close();

const sorted = [...starts].sort((a, b) => a - b);
const from = sorted[Math.floor(JOBS * 0.1)]!;
const to = sorted[Math.floor(JOBS * 0.9)]!;
const steady = ((Math.floor(JOBS * 0.9) - Math.floor(JOBS * 0.1)) / (to - from)) * 1000;
/** The most of `times` in any window of `windowMs`. */
function peakIn(times: number[], windowMs: number): number {
  const ordered = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let last = 0, first = 0; last < ordered.length; last += 1) {
    while (ordered[last]! - ordered[first]! >= windowMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return peak;
}
const peak = peakIn(grants, PER);
const startPeak = peakIn(starts, PER);
console.log(`rate limit ${LIMIT}/${PER} ms shared by ${WORKERS} workers, ${JOBS} jobs, ${new Date().toISOString()}`);
console.log('| figure | measured | limit | ratio |');
console.log('| --- | --- | --- | --- |');
console.log(`| steady rate (middle 80% of the starts), jobs/s | ${steady.toFixed(1)} | ${LIMIT} | ${(steady / LIMIT).toFixed(3)}x |`);
console.log(`| most permits granted in any ${PER} ms | ${peak} | ${LIMIT} (no burst) | ${(peak / LIMIT).toFixed(2)}x |`);
console.log(
  `| most perform starts in any ${PER} ms (a start lags its permit by the event loop's delay) | ${startPeak} | ${LIMIT} | ${(startPeak / LIMIT).toFixed(2)}x |`,
);
console.log(`| whole run, s | ${((sorted.at(-1)! - sorted[0]!) / 1000).toFixed(1)} | ${((JOBS / LIMIT) * (PER / 1000)).toFixed(1)} at the limit | |`);
// The queue and the permit queue are left to the broker's cleanup (x-expires for the permits).
process.exit(0);
