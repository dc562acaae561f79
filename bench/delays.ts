// Delayed jobs through the TTL-queue ladder: BENCH_DELAY_JOBS (10,000) jobs with random delays
// from 10 ms to 60 s, all pending at once, performed by one worker. Reports how many ran early
// (must be 0) and the lateness (perform start - due time) p50/p99/max. Baseline measured in the
// same run, on the same worker: the latency of jobs enqueued for now (enqueue -> perform start),
// the floor any delayed job also pays. Then the drain: BENCH_DRAIN_JOBS (5,000) jobs all due at
// the same instant, timed from that instant to the last perform (jobs/s through the ladder's last
// hop and, for the quorum ladder, the due-queue forwarder). Runs it for each ladder kind of
// BENCH_LADDERS (default "quorum,classic": the restart-safe ladder against warren 0.1's) and
// ends with a table of both. Prints figures; not a test.
//
//   npx tsx bench/delays.ts          (AMQP_URL, default the local broker)
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { AmqpAdapter } from '../src/adapters/amqp/amqp-adapter.js';
import { DelayLadder } from '../src/amqp/delay/ladder.js';
import { configure } from '../src/config/configuration.js';
import { DEFAULTS } from '../src/config/defaults.js';
import { Job } from '../src/job/job.js';
import { JobRegistry } from '../src/job/registry.js';
import { Worker } from '../src/worker/worker.js';
import { BrokerProbe } from '../test/support/broker-probe.js';

const url = process.env.AMQP_URL ?? DEFAULTS.amqp.url;
const JOBS = Number(process.env.BENCH_DELAY_JOBS ?? 10_000);
const MIN_DELAY_MS = 10;
const MAX_DELAY_MS = Number(process.env.BENCH_DELAY_MAX_MS ?? 60_000);
const BASELINE_JOBS = 1_000;
/** Publishes in flight at once: a flood of unconfirmed publishes delays when the broker takes them, and a TTL starts then. */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 20);
/** Worker prefetch: held jobs (arrived a little early) occupy slots until due. */
const CONCURRENCY = 200;

interface Sample {
  dueAt: number;
  at: number;
}
const DRAIN_JOBS = Number(process.env.BENCH_DRAIN_JOBS ?? 5_000);
const LADDERS = (process.env.BENCH_LADDERS ?? 'quorum,classic').split(',').map((kind) => kind.trim()) as Array<'quorum' | 'classic'>;
const delayed: Sample[] = [];
const immediate: Sample[] = [];
const drained: Sample[] = [];

interface Figures {
  queueType: string;
  publishPerSecond: number;
  early: number;
  lateness: { p50: number; p99: number; max: number };
  baseline: { p50: number; p99: number; max: number };
  drainPerSecond: number;
  drainLateness: { p50: number; p99: number; max: number };
}

class BenchDelayJob extends Job {
  static override jobName = 'BenchDelayJob';
  async perform(kind: 'delayed' | 'immediate' | 'drain', dueAt: number): Promise<void> {
    (kind === 'delayed' ? delayed : kind === 'drain' ? drained : immediate).push({ dueAt, at: Date.now() });
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function stats(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Runs `task(i)` for i < count with at most `limit` running at once. */
async function pool(count: number, limit: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

async function measure(queueType: 'quorum' | 'classic'): Promise<Figures> {
  delayed.length = 0;
  immediate.length = 0;
  drained.length = 0;
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const queue = `${prefix}.jobs`;
  const ladder = new DelayLadder({
    prefix: `${prefix}.delay`,
    deadLetterQueue: `${prefix}.dead`,
    queueType,
    ...(process.env.BENCH_HOP_ALLOWANCE_MS ? { hopAllowanceMs: Number(process.env.BENCH_HOP_ALLOWANCE_MS) } : {}),
    ...(process.env.BENCH_LOWEST_LEVEL ? { lowestLevel: Number(process.env.BENCH_LOWEST_LEVEL) } : {}),
  });
  const producer = new AmqpAdapter({ url, delays: ladder });
  configure({ adapter: producer });
  const worker = new Worker({
    url,
    registry: new JobRegistry().register(BenchDelayJob),
    queues: [queue],
    concurrency: CONCURRENCY,
    delays: ladder,
    deadLetterQueue: `${prefix}.dead`,
    handleSignals: false,
  });
  const holds: number[] = [];
  let redelayed = 0;
  worker.events.on('job:held', ({ waitMs }) => holds.push(waitMs));
  worker.events.on('job:redelayed', () => (redelayed += 1));

  try {
    await worker.start();
    console.log(`\n## ${queueType} ladder\n\ndelay ladder benchmark: ${JOBS} jobs, delays ${MIN_DELAY_MS} ms .. ${MAX_DELAY_MS} ms, node ${process.version}`);
    console.log(
      `ladder: levels ${ladder.options.lowestLevel}..${ladder.options.levels - 1}, hop allowance ${ladder.options.hopAllowanceMs} ms, ` +
        `fixed allowance ${ladder.options.fixedAllowanceMs} ms; worker concurrency ${CONCURRENCY}; ${IN_FLIGHT} publishes in flight\n`,
    );

    // Warm-up (connections, JIT), not counted; then the baseline: jobs due now, enqueued at a
    // steady pace on the same adapter and worker.
    await pool(200, 10, async () => {
      await BenchDelayJob.set({ queue }).performLater('immediate', Date.now());
    });
    await until(() => immediate.length === 200, 60_000);
    immediate.length = 0;
    await pool(BASELINE_JOBS, 10, async () => {
      const now = Date.now();
      await BenchDelayJob.set({ queue }).performLater('immediate', now);
    });
    await until(() => immediate.length === BASELINE_JOBS, 60_000);

    const publishStart = Date.now();
    await pool(JOBS, IN_FLIGHT, async () => {
      const dueAt = Date.now() + MIN_DELAY_MS + Math.floor(Math.random() * (MAX_DELAY_MS - MIN_DELAY_MS));
      await BenchDelayJob.set({ queue, waitUntil: dueAt }).performLater('delayed', dueAt);
    });
    const publishEnd = Date.now();
    const publishMs = publishEnd - publishStart;
    const done = await until(() => delayed.length === JOBS, MAX_DELAY_MS + 120_000);

    const lateness = delayed.map((sample) => sample.at - sample.dueAt);
    const early = lateness.filter((ms) => ms < 0).length;
    const late = stats(lateness);
    const base = stats(immediate.map((sample) => sample.at - sample.dueAt));
    const held = stats(holds);
    console.log(`published ${JOBS} delayed jobs in ${publishMs} ms (${Math.round(JOBS / (publishMs / 1000))}/s, confirmed)`);
    console.log(`performed ${delayed.length} of ${JOBS}${done ? '' : ' (timed out waiting for the rest)'}\n`);
    console.log('| measure | count | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---|---|---|');
    console.log(`| baseline: enqueue for now -> perform | ${immediate.length} | ${base.p50} | ${base.p99} | ${base.max} |`);
    console.log(`| delayed: lateness (perform - due) | ${delayed.length} | ${late.p50} | ${late.p99} | ${late.max} |`);
    const duringPublishing = stats(delayed.filter((sample) => sample.dueAt <= publishEnd).map((sample) => sample.at - sample.dueAt));
    const afterPublishing = stats(delayed.filter((sample) => sample.dueAt > publishEnd).map((sample) => sample.at - sample.dueAt));
    const countDuring = delayed.filter((sample) => sample.dueAt <= publishEnd).length;
    console.log(
      `| - due while the 10,000 were still being published | ${countDuring} | ${duringPublishing.p50} | ${duringPublishing.p99} | ${duringPublishing.max} |`,
    );
    console.log(`| - due after | ${delayed.length - countDuring} | ${afterPublishing.p50} | ${afterPublishing.p99} | ${afterPublishing.max} |`);
    console.log(`| held by the worker before due (arrived early) | ${holds.length} | ${held.p50} | ${held.p99} | ${held.max} |`);
    console.log(`\nran early: ${early} (must be 0); sent round the ladder again: ${redelayed}`);
    console.log(`lateness p99 / baseline p99: ${(late.p99 / Math.max(1, base.p99)).toFixed(2)} (goal: lateness p99 <= 10 ms)`);

    // The drain: every job due at one instant, 3 s after the first publish.
    const drainDue = Date.now() + 3_000 + Math.ceil(DRAIN_JOBS / 1_000) * 1_000;
    await pool(DRAIN_JOBS, IN_FLIGHT, async () => {
      await BenchDelayJob.set({ queue, waitUntil: drainDue }).performLater('drain', drainDue);
    });
    const drainDone = await until(() => drained.length === DRAIN_JOBS, 120_000 + (drainDue - Date.now()));
    const lastAt = Math.max(...drained.map((sample) => sample.at));
    const drainPerSecond = Math.round(drained.length / (Math.max(1, lastAt - drainDue) / 1000));
    const drainLateness = stats(drained.map((sample) => sample.at - sample.dueAt));
    console.log(
      `drain: ${drained.length} of ${DRAIN_JOBS} jobs due at one instant performed ${drainPerSecond}/s` +
        `${drainDone ? '' : ' (timed out)'}; lateness p50 ${drainLateness.p50}, p99 ${drainLateness.p99}, max ${drainLateness.max} ms`,
    );
    return {
      queueType,
      publishPerSecond: Math.round(JOBS / (publishMs / 1000)),
      early: early + drained.filter((sample) => sample.at < sample.dueAt).length,
      lateness: late,
      baseline: base,
      drainPerSecond,
      drainLateness,
    };
  } finally {
    await worker.stop();
    await producer.close();
    const probe = await BrokerProbe.open(url);
    await probe.deleteQueues([queue, `${prefix}.dead`, ...ladder.queueNames()]);
    await probe.deleteExchanges(ladder.exchangeNames());
    await probe.close();
  }
}

async function main(): Promise<void> {
  // Warnings go to stderr: stdout is the report (compare.ts quotes it).
  configure({ logger: pino({ level: 'warn' }, pino.destination(2)) });
  const results: Figures[] = [];
  for (const queueType of LADDERS) results.push(await measure(queueType));
  console.log('\n## ladders side by side (same run)\n');
  console.log(
    '| ladder | publish delayed (jobs/s, confirmed) | early | lateness p50 / p99 / max (ms) | baseline p99 (ms) | drain (jobs/s) | drain lateness p50 / p99 / max (ms) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.queueType} | ${r.publishPerSecond} | ${r.early} | ${r.lateness.p50} / ${r.lateness.p99} / ${r.lateness.max} | ${r.baseline.p99} | ${r.drainPerSecond} | ${r.drainLateness.p50} / ${r.drainLateness.p99} / ${r.drainLateness.max} |`,
    );
  }
  const [first, second] = results;
  if (first && second) {
    console.log(
      `\n${first.queueType}/${second.queueType}: publish ${(first.publishPerSecond / second.publishPerSecond).toFixed(2)}x, drain ${(first.drainPerSecond / second.drainPerSecond).toFixed(2)}x, lateness p99 ${(first.lateness.p99 / Math.max(1, second.lateness.p99)).toFixed(2)}x`,
    );
  }
}

await main();
