// `npx tsx bench/profile.ts` (or `npm run bench -- profile`): CPU profiles (node --cpu-prof)
// of warren's producer (performAllLater in batches of 1,000) and worker (draining a
// pre-filled queue), summarized for the time window that was measured: where the time
// goes, by warren function (src/*.ts:line) and by the library code those functions call.
// The .cpuprofile files stay in bench/profiles/ (open them in Chrome DevTools).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { collectBrokerGarbage, removeQueue, uniqueQueueName } from './compare/broker.js';
import { buildChildScripts, removeBuild, ROOT, sourceState } from './compare/build.js';
import { CONFIG } from './compare/config.js';
import { summarizeProfile, type ProfileSummary } from './compare/cpu-profile.js';
import { produce, runChildrenFrom, WorkerGroup } from './compare/spawn.js';
import { integer, markdownTable, oneDecimal } from './compare/summary.js';

const JOBS = Number(process.env.BENCH_PROFILE_JOBS ?? 30_000);
const INTERVAL_US = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 250);
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 25);

function profilerArgs(dir: string, name: string): string[] {
  return ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${name}.cpuprofile`, '--cpu-prof-interval', String(INTERVAL_US)];
}

function render(title: string, summary: ProfileSummary, jobs: number): string {
  // Shares are of the busy time: idle samples are the process waiting on the broker.
  const idleUs = summary.categories.get('idle') ?? 0;
  const busyUs = summary.sampledUs - idleUs;
  const percent = (us: number): string => `${((100 * us) / busyUs).toFixed(1)}%`;
  const perJob = (us: number): string => oneDecimal(us / jobs);
  const categories = [...summary.categories.entries()].filter(([category]) => category !== 'idle').sort((a, b) => b[1] - a[1]);
  const warrenTotal = summary.warrenFunctions.reduce((sum, f) => sum + f.attributedUs, 0);
  return [
    `### ${title}`,
    '',
    `${integer(jobs)} jobs in ${oneDecimal(summary.windowUs / 1000)} ms (${integer(jobs / (summary.windowUs / 1e6))} jobs/s under the profiler, ` +
      `${INTERVAL_US} µs sampling): busy ${oneDecimal(busyUs / jobs)} µs per job, idle (waiting for the broker) ${((100 * idleUs) / summary.sampledUs).toFixed(0)}% of the window. ` +
      `Shares below are of the busy time. Code under a warren function (its own and the library code it calls): ${percent(warrenTotal)}. ` +
      'Samples are wall-clock: a native frame such as `writeBuffer` (socket writes: one per ack or publish, as many as raw amqplib makes) ' +
      "also holds time spent in the system call or descheduled while the broker runs on this machine's cores.",
    '',
    markdownTable(
      ['where the samples are (leaf frame)', 'share of busy', 'µs/job'],
      categories.map(([category, us]) => [category, percent(us), perJob(us)]),
    ),
    '',
    `Top ${TOP} warren functions, by self time plus the library/built-in code they call directly ("attributed"):`,
    '',
    markdownTable(
      ['#', 'function', 'src', 'self', 'attributed', 'attributed µs/job'],
      summary.warrenFunctions
        .slice(0, TOP)
        .map((f, i) => [String(i + 1), `\`${f.name}\``, f.location, percent(f.selfUs), percent(f.attributedUs), perJob(f.attributedUs)]),
    ),
    '',
    `Top ${TOP} library and built-in functions, with the warren function that called into them:`,
    '',
    markdownTable(
      ['#', 'function', 'where', 'called from (nearest warren frame)', 'share of busy', 'µs/job'],
      summary.externalFunctions.slice(0, TOP).map((f, i) => [String(i + 1), `\`${f.name}\``, f.location, f.calledFrom, percent(f.selfUs), perJob(f.selfUs)]),
    ),
  ].join('\n');
}

const id = randomUUID().slice(0, 8);
const profileDir = join(ROOT, 'bench', 'profiles', `${new Date().toISOString().slice(0, 10)}-${id}`);
mkdirSync(profileDir, { recursive: true });
const buildDir = await buildChildScripts(`profile-${id}`);
runChildrenFrom(buildDir);
const queue = uniqueQueueName('profile');
let group: WorkerGroup | undefined;
try {
  process.stderr.write(`profiling the producer: ${JOBS} jobs with performAllLater\n`);
  const produced = await produce(
    'warren',
    { queue, mode: 'bulk', count: JOBS, batchSize: CONFIG.batchSize, rate: 0, seconds: 0 },
    { nodeArgs: profilerArgs(profileDir, 'producer') },
  );
  process.stderr.write(`profiling the worker: draining ${produced.enqueued} jobs\n`);
  group = new WorkerGroup('warren', { queue, prefetch: CONFIG.prefetch, recordLatency: false, latencyWarmup: 0 }, 1, {
    nodeArgs: profilerArgs(profileDir, 'worker'),
  });
  await group.ready();
  await collectBrokerGarbage();
  await group.go();
  const [drained] = await group.finish(produced.enqueued);
  group = undefined;
  const producer = summarizeProfile(join(profileDir, 'producer.cpuprofile'), produced.startNs / 1000, produced.endNs / 1000);
  const worker = summarizeProfile(join(profileDir, 'worker.cpuprofile'), drained!.firstNs / 1000, drained!.lastNs / 1000);
  console.log(
    [
      `## warren CPU profiles (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${sourceState()}, WARREN_LOG_LEVEL=${process.env.WARREN_LOG_LEVEL ?? 'info (default)'})`,
      '',
      `Profiles: ${profileDir}`,
      '',
      render('Worker: drain of a pre-filled queue (1 process, concurrency 100)', worker, drained!.completed),
      '',
      render('Producer: performAllLater, batches of 1,000', producer, produced.timedJobs),
    ].join('\n'),
  );
} finally {
  group?.kill();
  await removeQueue('warren', queue).catch(() => {});
  removeBuild(buildDir);
}
