// `npx tsx bench/compare.ts` (or `npm run bench -- compare`): warren against raw amqplib
// (the floor of its own stack, same durability) and BullMQ (what Node users would pick
// instead), in one run on one machine. Prints markdown tables (progress goes to stderr);
// bench/README.md says what each figure means. Settings: bench/compare/config.ts.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { brokerVersions } from './compare/broker.js';
import { buildChildScripts, removeBuild, sourceState } from './compare/build.js';
import { CONFIG } from './compare/config.js';
import { PAYLOAD_BYTES } from './compare/payload.js';
import { renderReport } from './compare/report.js';
import { brokerCpuFigure, cpuFigure, drainFigure, Results } from './compare/results.js';
import { runChildrenFrom } from './compare/spawn.js';
import { enqueueOneByOne, fillAndDrain, latencyAtSteadyRate, type Variant } from './compare/stages.js';
import { integer, type Samples } from './compare/summary.js';
import { BULLMQ, DIAGNOSTICS, RAW, WARREN } from './compare/variants.js';

const results = new Results();

function progress(text: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

/** Runs a stage; a failure becomes a failed sample of each figure instead of ending the run. */
async function stage<T>(what: string, run: () => Promise<T>, record: (value: T) => void, failed: Samples[]): Promise<void> {
  const started = Date.now();
  try {
    const value = await run();
    record(value);
    const figures = JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v));
    progress(`${what}: ${figures} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    for (const samples of failed) samples.fail(error);
    progress(`${what}: FAILED ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The same list starting at another element, so no variant always runs first. */
const rotate = <T>(items: T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length]!);

async function drainStage(variant: Variant, workers: number, tag: string, queues = 1): Promise<void> {
  const drain = results.series(variant, drainFigure(workers, queues));
  const cpu = results.series(variant, cpuFigure(workers, queues));
  const broker = results.series(variant, brokerCpuFigure(workers, queues));
  // The enqueue and RSS figures come from the single-worker, single-queue stage only.
  const single = workers === 1 && queues === 1 ? [results.series(variant, 'enqueueBulk'), results.series(variant, 'rss')] : [];
  await stage(
    `${tag} ${variant.label}: fill ${CONFIG.drainJobs} in batches${queues > 1 ? ` on ${queues} queues` : ''}, drain with ${workers} worker(s)`,
    () => fillAndDrain(variant, workers, CONFIG.drainJobs, { queues }),
    (figures) => {
      drain.add(figures.drainPerSecond);
      cpu.add(figures.cpuUsPerJob);
      if (figures.brokerCpuUsPerJob !== undefined) broker.add(figures.brokerCpuUsPerJob);
      single[0]?.add(figures.enqueuePerSecond);
      single[1]?.add(figures.peakRssMb);
    },
    [drain, cpu, ...single],
  );
}

async function oneByOneStage(variant: Variant, tag: string): Promise<void> {
  const rate = results.series(variant, 'enqueueSingle');
  await stage(
    `${tag} ${variant.label}: ${CONFIG.singleJobs} enqueued one by one`,
    () => enqueueOneByOne(variant, 'single'),
    (value) => rate.add(value.perSecond),
    [rate],
  );
  const inFlight = results.series(variant, 'enqueueInFlight');
  const producerCpu = results.series(variant, 'producerCpuInFlight');
  await stage(
    `${tag} ${variant.label}: ${CONFIG.inFlightJobs} enqueued one by one, ${CONFIG.batchSize} in flight`,
    () => enqueueOneByOne(variant, 'inflight'),
    (value) => {
      inFlight.add(value.perSecond);
      producerCpu.add(value.cpuUsPerJob);
    },
    [inFlight, producerCpu],
  );
}

async function latencyStage(variant: Variant, tag: string): Promise<void> {
  const [p50, p95, p99] = (['p50', 'p95', 'p99'] as const).map((figure) => results.series(variant, figure)) as [Samples, Samples, Samples];
  await stage(
    `${tag} ${variant.label}: latency at ${CONFIG.latencyRate} jobs/s`,
    () => latencyAtSteadyRate(variant),
    ({ latency, workerPauses, producerPauses }) => {
      p50.add(latency.p50Ms);
      p95.add(latency.p95Ms);
      p99.add(latency.p99Ms);
      for (const [role, pauses] of [
        ['worker', workerPauses],
        ['producer', producerPauses],
      ] as const) {
        if (!pauses) continue;
        results.series(variant, `${role}:gcMsPerSecond`).add(pauses.gcTotalMs / pauses.seconds);
        results.series(variant, `${role}:gcLongPerSecond`).add(pauses.gcLongPauses / pauses.seconds);
        results.series(variant, `${role}:gcMaxMs`).add(pauses.gcMaxMs);
        results.series(variant, `${role}:loopDelayP99Ms`).add(pauses.loopDelayP99Ms);
      }
    },
    [p50, p95, p99],
  );
}

/** Each repetition runs every stage of every variant, in a rotated order. */
async function measure(): Promise<void> {
  // Every (workers, queues) of the scale table but (1, 1), which the main stage measures.
  const scale = CONFIG.scaleQueues
    .flatMap((queues) => CONFIG.scaleWorkers.map((workers) => ({ workers, queues })))
    .filter(({ workers, queues }) => workers > 1 || queues > 1);
  for (let rep = 0; rep < CONFIG.repetitions; rep++) {
    const tag = `rep ${rep + 1}/${CONFIG.repetitions}`;
    const stages = new Set(CONFIG.stages);
    const chosen = (variants: Variant[]): Variant[] => variants.filter((variant) => CONFIG.systems.includes(variant.system));
    for (const variant of rotate(chosen([WARREN, RAW, BULLMQ]), rep)) {
      if (stages.has('drain')) await drainStage(variant, 1, tag);
      if (stages.has('single')) await oneByOneStage(variant, tag);
      if (stages.has('latency')) await latencyStage(variant, tag);
    }
    if (CONFIG.diagnostics) {
      for (const variant of rotate(
        DIAGNOSTICS.filter((diagnostic) => CONFIG.systems.includes(diagnostic.system)),
        rep,
      )) {
        if (variant.drain && stages.has('drain')) await drainStage(variant, 1, tag);
        if (variant.single && stages.has('single')) await oneByOneStage(variant, tag);
        if (variant.latency && stages.has('latency')) await latencyStage(variant, tag);
      }
    }
    if (stages.has('scale')) {
      for (const { workers, queues } of scale) for (const variant of rotate(chosen([WARREN, RAW]), rep)) await drainStage(variant, workers, tag, queues);
    }
  }
}

/** bench/delays.ts (the delay issue's benchmark) when it exists: its output, verbatim. */
function delayedJobLateness(): string | undefined {
  const script = fileURLToPath(new URL('./delays.ts', import.meta.url));
  if (!existsSync(script)) return undefined;
  if (!CONFIG.delays) return 'skipped (BENCH_DELAYS=0)';
  progress('running bench/delays.ts');
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: CONFIG.stageTimeoutMs, cwd });
  const output = (run.stdout ?? '').trim();
  if (run.status === 0) return output;
  return `${output}\n\n(bench/delays.ts failed: exit ${run.status}; ${(run.stderr ?? '').trim().split('\n').slice(-3).join(' ')})`;
}

const loadAverage = (): string =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');

const started = Date.now();
const loadBefore = loadAverage();
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${await brokerVersions()}, ${sourceState()}`;
const buildDir = process.env.BENCH_RUNNER === 'tsx' ? undefined : await buildChildScripts(randomUUID().slice(0, 8));
runChildrenFrom(buildDir);
try {
  await measure();
} finally {
  if (buildDir) removeBuild(buildDir);
}
const delays = delayedJobLateness();
const header =
  `${new Date().toISOString().slice(0, 10)}, ${machine}. ${CONFIG.repetitions} interleaved repetitions, median (min–max). ` +
  `${integer(CONFIG.drainJobs)} jobs per fill and drain, ${integer(CONFIG.singleJobs)} enqueued one by one, latency over ` +
  `${CONFIG.latencySeconds} s at ${integer(CONFIG.latencyRate)} jobs/s after ${CONFIG.latencyWarmupSeconds} s of warm-up. ` +
  `Payload ${PAYLOAD_BYTES} bytes of JSON; prefetch and concurrency ${CONFIG.prefetch}; broker GC forced before each drain; ` +
  `producer and worker processes ${buildDir ? 'compiled by esbuild (bench/compare/build.ts)' : 'under tsx'}. ` +
  `Load average ${loadBefore} before, ${loadAverage()} after; the run took ${((Date.now() - started) / 60_000).toFixed(1)} min.`;
console.log(renderReport({ results, delays, header }));
