// `npx tsx bench/monitoring-cost.ts` (or `npm run bench -- monitoring-cost`): what watching a
// worker costs it. One worker process drains BENCH_MONITORING_JOBS jobs from a fresh queue in
// three configurations, interleaved over BENCH_REPETITIONS repetitions (each starting with a
// different one): (a) presence off and no metrics, (b) the default, heartbeats on (src/presence/),
// (c) heartbeats on and a WarrenMetrics observing the worker, rendered once a second, and (d) the
// metrics with presence off (what they cost alone). Prints the
// drain rate and the worker's CPU per job, median (min–max), with their ratios to (a).
// The processes are those of bench/compare.ts (compiled by esbuild, bench/compare/build.ts);
// the worker is bench/compare/monitored-worker.ts.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { collectBrokerGarbage, queueDepth, removeQueue, uniqueQueueName } from './compare/broker.js';
import { buildChildScripts, removeBuild, sourceState } from './compare/build.js';
import { CONFIG } from './compare/config.js';
import type { Monitoring } from './compare/monitored-worker.js';
import type { WorkerResult } from './compare/protocol.js';
import { Child, produce, runChildrenFrom } from './compare/spawn.js';
import { cell, integer, markdownTable, oneDecimal, ratio, Samples } from './compare/summary.js';

const JOBS = Number(process.env.BENCH_MONITORING_JOBS ?? 20_000);
if (!Number.isInteger(JOBS) || JOBS < 1) throw new Error(`BENCH_MONITORING_JOBS must be a positive integer, not ${process.env.BENCH_MONITORING_JOBS}`);

const CONFIGURATIONS: { monitoring: Monitoring; label: string }[] = [
  { monitoring: 'off', label: '(a) presence: false, no metrics' },
  { monitoring: 'presence', label: '(b) default: heartbeats on' },
  { monitoring: 'metrics', label: '(c) heartbeats on + WarrenMetrics' },
  // A diagnostic row: the metrics without heartbeats, so their own cost is not lost in presence's spread.
  { monitoring: 'metrics-only', label: '(d) presence: false + WarrenMetrics' },
];

function progress(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Fills a fresh queue with `jobs` jobs, then lets one worker with `monitoring` drain it: jobs/s and CPU µs per job. */
async function drain(monitoring: Monitoring, jobs: number): Promise<{ perSecond: number; cpuUsPerJob: number }> {
  const queue = uniqueQueueName(`monitoring-${monitoring}`);
  let worker: Child | undefined;
  try {
    const fill = await produce('warren', { queue, mode: 'bulk', count: jobs, batchSize: CONFIG.batchSize, rate: 0, seconds: 0 });
    if (Object.keys(fill.incidents).length) throw new Error(`trouble while filling: ${JSON.stringify(fill.incidents)}`);
    worker = new Child(
      `worker (${monitoring})`,
      'monitored-worker',
      { queue, prefetch: CONFIG.prefetch, recordLatency: false, latencyWarmup: 0 },
      { env: { BENCH_MONITORING: monitoring } },
    );
    await worker.waitFor('ready');
    await collectBrokerGarbage();
    worker.send({ type: 'go' });
    await worker.waitFor('consuming');
    const child = worker;
    await child.until(() => (child.progress.completed >= fill.enqueued ? true : undefined), `${fill.enqueued} completed jobs`);
    worker.send({ type: 'stop' });
    const result: WorkerResult = (await worker.waitFor('worker-result')).result;
    await worker.exited();
    worker = undefined;
    if (Object.keys(result.incidents).length) throw new Error(`trouble during the drain, figures dropped: ${JSON.stringify(result.incidents)}`);
    const left = await queueDepth(queue);
    if (left !== 0) throw new Error(`${left} jobs left in ${queue} after the drain`);
    return {
      perSecond: result.completed / ((result.lastNs - result.firstNs) / 1e9),
      cpuUsPerJob: (result.cpuUserUs + result.cpuSystemUs) / result.completed,
    };
  } finally {
    worker?.kill();
    await removeQueue('warren', queue).catch(() => {});
  }
}

const rate = new Map(CONFIGURATIONS.map(({ monitoring }) => [monitoring, new Samples()]));
const cpu = new Map(CONFIGURATIONS.map(({ monitoring }) => [monitoring, new Samples()]));
const started = Date.now();
const loadBefore = loadavg().map((load) => load.toFixed(2));
const buildDir = process.env.BENCH_RUNNER === 'tsx' ? undefined : await buildChildScripts(randomUUID().slice(0, 8));
runChildrenFrom(buildDir);
try {
  for (let rep = 0; rep < CONFIG.repetitions; rep++) {
    const order = CONFIGURATIONS.map((_, i) => CONFIGURATIONS[(i + rep) % CONFIGURATIONS.length]!);
    for (const { monitoring, label } of order) {
      try {
        const figures = await drain(monitoring, JOBS);
        rate.get(monitoring)!.add(figures.perSecond);
        cpu.get(monitoring)!.add(figures.cpuUsPerJob);
        progress(`rep ${rep + 1}/${CONFIG.repetitions} ${label}: ${Math.round(figures.perSecond)} jobs/s, ${figures.cpuUsPerJob.toFixed(1)} µs CPU per job`);
      } catch (error) {
        rate.get(monitoring)!.fail(error);
        cpu.get(monitoring)!.fail(error);
        progress(`rep ${rep + 1}/${CONFIG.repetitions} ${label}: FAILED ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
} finally {
  if (buildDir) removeBuild(buildDir);
}

const baseRate = rate.get('off');
const baseCpu = cpu.get('off');
const rows = CONFIGURATIONS.map(({ monitoring, label }) => [
  label,
  cell(rate.get(monitoring), integer),
  ratio(rate.get(monitoring), baseRate),
  cell(cpu.get(monitoring), oneDecimal),
  ratio(cpu.get(monitoring), baseCpu),
]);
console.log(
  `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, ${sourceState()}. ` +
    `${integer(JOBS)} jobs per drain, prefetch ${CONFIG.prefetch}, ${CONFIG.repetitions} interleaved repetitions, median (min–max); ` +
    `load average ${loadBefore.join(' ')} before, ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} after; ${((Date.now() - started) / 60_000).toFixed(1)} min.\n`,
);
console.log(markdownTable(['worker', 'drain, jobs/s', 'vs (a)', 'worker CPU per job, µs', 'vs (a)'], rows));
const failures = [...rate.entries()].flatMap(([monitoring, samples]) => samples.failures.map((failure) => `- ${monitoring}: ${failure}`));
if (failures.length) console.log(`\nFailed drains:\n${failures.join('\n')}`);
