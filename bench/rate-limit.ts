// Rate limits under load: 10 workers share one `static rateLimit = { limit: 50, per: 1000 }` and
// drain BENCH_RATE_JOBS jobs (default 750, 15 s at the limit). Prints the steady rate (the middle
// 80% of the starts) against the limit, and the most permits granted and perform starts in any
// 1 s window against limit + burst (a sliding window allows no burst: 50).
//   npx tsx bench/rate-limit.ts                  # the 10 workers in this process
//   BENCH_RATE_PROCESSES=1 npx tsx bench/rate-limit.ts   # each worker a process of its own
//   BENCH_RATE_WORKERS=2 ...                              # fewer workers (default 10), each with concurrency 5
// In one process the 10 workers share an event loop: a start is timed after that loop delivered
// the confirm, late by its lag. In processes each worker times its own permits and starts.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { AmqpAdapter, configure, Job, JobRegistry, performAllLater, Worker } from '../src/index.js';
import { RatePermits } from '../src/amqp/rate-permits.js';

const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const JOBS = Number(process.env.BENCH_RATE_JOBS ?? 750);
const WORKERS = Number(process.env.BENCH_RATE_WORKERS ?? 10);
const LIMIT = 50;
const PER = 1_000;
const inProcesses = process.env.BENCH_RATE_PROCESSES === '1';
const starts: number[] = [];
/** When each permit's confirm arrived: what the limiter grants, before the job waits its turn in the event loop. */
const grants: number[] = [];
/** For each granted permit, ms from sending it to seeing its confirm: a grant seen later than the start tolerance is given up. */
const seenAfter: number[] = [];
const take = RatePermits.prototype.take;
RatePermits.prototype.take = async function (this: RatePermits, ...args: Parameters<RatePermits['take']>) {
  const permit = await take.apply(this, args);
  if (permit.granted) {
    grants.push(Date.now());
    seenAfter.push(performance.now() - permit.sentAt);
  }
  return permit;
};

class RateBenchJob extends Job {
  static override jobName = 'RateBenchJob';
  static override rateLimit = { limit: LIMIT, per: PER };
  perform(_n: number): void {
    starts.push(Date.now());
  }
}

const logger = pino({ level: 'warn' });
configure({ logger });
const registry = new JobRegistry().register(RateBenchJob);
const newWorker = (queue: string): Worker => new Worker({ url, registry, queues: [queue], concurrency: 5, handleSignals: false, logger, presence: false });

interface Times {
  starts: number[];
  grants: number[];
  seenAfter: number[];
}

/** A worker process: reports its permit and start times every 200 ms, stops when told. */
async function child(queue: string): Promise<void> {
  const worker = newWorker(queue);
  await worker.start();
  const flush = (): void => {
    if (starts.length || grants.length) process.send?.({ starts: starts.splice(0), grants: grants.splice(0), seenAfter: seenAfter.splice(0) } satisfies Times);
  };
  const timer = setInterval(flush, 200);
  process.send?.('ready');
  process.on('message', async () => {
    clearInterval(timer);
    await worker.stop();
    flush();
    process.disconnect?.();
  });
}

/** Starts the workers (in this process or as children); resolves with a function that stops them. */
async function startWorkers(queue: string): Promise<() => Promise<void>> {
  if (!inProcesses) {
    const workers = Array.from({ length: WORKERS }, () => newWorker(queue));
    await Promise.all(workers.map((worker) => worker.start()));
    return async () => void (await Promise.all(workers.map((worker) => worker.stop())));
  }
  const file = fileURLToPath(import.meta.url);
  const children = Array.from({ length: WORKERS }, () =>
    fork(file, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_RATE_CHILD_QUEUE: queue }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  await Promise.all(
    children.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.on('message', (message: 'ready' | Times) => {
            if (message === 'ready') return resolve();
            starts.push(...message.starts);
            grants.push(...message.grants);
            seenAfter.push(...message.seenAfter);
          });
        }),
    ),
  );
  return async () => {
    await Promise.all(
      children.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.on('disconnect', () => resolve());
            worker.send('stop');
          }),
      ),
    );
  };
}

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

/**
 * The broker's own window, as a reference: one idle client with 10 publishers on one confirm
 * channel takes permits of a queue shaped as warren's (limit 50, per 1 s) for 5 s; the most
 * confirms in any 1 s. Timed by a client with nothing else to do, this is the broker's grant rate.
 */
async function brokerWindow(): Promise<{ granted: number; peak: number }> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  const queue = `bench-rate-probe-${randomUUID().slice(0, 8)}`;
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-max-length': LIMIT, 'x-overflow': 'reject-publish', 'x-message-ttl': PER } });
  const granted: number[] = [];
  const end = Date.now() + 5_000;
  const publisher = async (): Promise<void> => {
    while (Date.now() < end) {
      // Transient, as warren's permits of windows under DEFAULTS.flow.ratePersistFromMs.
      const ok = await new Promise<boolean>((resolve) =>
        channel.publish('', queue, Buffer.alloc(0), { persistent: false }, (error: unknown) => resolve(!error)),
      );
      if (ok) granted.push(Date.now());
      else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  };
  await Promise.all(Array.from({ length: 10 }, publisher));
  await channel.deleteQueue(queue);
  await connection.close();
  return { granted: granted.length, peak: peakIn(granted, PER) };
}

async function parent(): Promise<void> {
  const reference = await brokerWindow();
  const queue = `bench-rate-${randomUUID().slice(0, 8)}`;
  const producer = new AmqpAdapter({ url, logger });
  configure({ adapter: producer, logger });
  const stop = await startWorkers(queue);
  const began = Date.now();
  await performAllLater(Array.from({ length: JOBS }, (_, n) => RateBenchJob.set({ queue }).build(n)));
  while (starts.length < JOBS) {
    if (Date.now() - began > (JOBS / LIMIT) * PER * 4 + 60_000) throw new Error(`only ${starts.length} of ${JOBS} jobs ran`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  await producer.close();

  const sorted = [...starts].sort((a, b) => a - b);
  const from = sorted[Math.floor(JOBS * 0.1)]!;
  const to = sorted[Math.floor(JOBS * 0.9)]!;
  const steady = ((Math.floor(JOBS * 0.9) - Math.floor(JOBS * 0.1)) / (to - from)) * 1000;
  const peak = peakIn(grants, PER);
  const startPeak = peakIn(starts, PER);
  const where = inProcesses ? `${WORKERS} worker processes` : `${WORKERS} workers in one process`;
  console.log(`rate limit ${LIMIT}/${PER} ms shared by ${where}, ${JOBS} jobs, ${new Date().toISOString()}`);
  console.log('| figure | measured | limit | ratio |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| steady rate (middle 80% of the starts), jobs/s | ${steady.toFixed(1)} | ${LIMIT} | ${(steady / LIMIT).toFixed(3)}x |`);
  console.log(`| most permits granted in any ${PER} ms | ${peak} | ${LIMIT} (no burst) | ${(peak / LIMIT).toFixed(2)}x |`);
  console.log(`| most perform starts in any ${PER} ms | ${startPeak} | ${LIMIT} | ${(startPeak / LIMIT).toFixed(2)}x |`);
  console.log(
    `| reference: the broker's own grants in any ${PER} ms (one idle client, 5 s) | ${reference.peak} | ${LIMIT} | ${(reference.peak / LIMIT).toFixed(2)}x |`,
  );
  const late = [...seenAfter].sort((a, b) => a - b);
  const at = (share: number): string => (late[Math.min(late.length - 1, Math.floor(late.length * share))] ?? 0).toFixed(1);
  const tolerance = RatePermits.startToleranceMs(PER);
  console.log(`| grant seen after sending the permit, ms: median / p90 / p99 | ${at(0.5)} / ${at(0.9)} / ${at(0.99)} | ${tolerance - 5} allowed | |`);
  console.log(`| grants given up (seen too late) | ${late.filter((ms) => ms > tolerance - 5).length} of ${late.length} | | |`);
  console.log(`| whole run, s | ${((sorted.at(-1)! - sorted[0]!) / 1000).toFixed(1)} | ${((JOBS / LIMIT) * (PER / 1000)).toFixed(1)} at the limit | |`);
  // The queue and the permit queue are left to the broker's cleanup (x-expires for the permits).
  process.exit(0);
}

const childQueue = process.env.BENCH_RATE_CHILD_QUEUE;
await (childQueue ? child(childQueue) : parent());
