// `npx tsx bench/cluster.ts`: drain throughput on the 3-node cluster of scripts/cluster.sh (started here when
// it is not up; left up afterwards unless BENCH_CLUSTER_DOWN=1). N jobs are pre-published by a warren producer,
// then 1, 2 or 3 warren worker processes drain them, each given all three addresses and connected first to a
// different node (c1, c2, c3). Rows:
// - classic, 1 process:  a classic job queue on c1, one worker process on c1 (the baseline of the trade-off)
// - quorum, 1/2/3 processes: a quorum job queue (leader on c1, replicas on c2 and c3), processes on c1, c2, c3
// Ratios are against the 1-process row of the same queue type, or against classic, in the same repetition.
// On one machine all three nodes and all workers share its cores: this measures the cluster's cost and how a
// 2-core machine bounds scaling out, not what three machines would do.
//
// BENCH_CLUSTER_JOBS (default 20000), BENCH_REPETITIONS (default 3), BENCH_CONCURRENCY (worker concurrency,
// default 50), BENCH_CLUSTER_DOWN=1 (take the cluster down at the end).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { pino } from 'pino';
import { AmqpAdapter, configure, Job, JobRegistry, parseTopology, performAllLater, type Topology, Worker } from '../src/index.js';
import { clusterDown, clusterUp } from '../test/support/cluster.js';

const JOBS = Number(process.env.BENCH_CLUSTER_JOBS ?? 20_000);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const CHUNK = 1_000;

class ClusterBenchJob extends Job {
  static override jobName = 'ClusterBenchJob';
  async perform(_index: number): Promise<void> {}
}
const registry = new JobRegistry().register(ClusterBenchJob);

function topologyFor(queue: string, type: 'classic' | 'quorum'): Topology {
  return parseTopology([
    { file: 'bench-cluster.yaml', text: `queues:\n  - name: ${queue}\n    type: ${type}\nbindings:\n  - { exchange: warren, queue: ${queue} }\n` },
  ]);
}

/** The addresses starting at node `first` (1-based), going round. */
function addressesFrom(urls: readonly string[], first: number): string[] {
  return urls.map((_, index) => urls[(first - 1 + index) % urls.length] as string);
}

// ------------------------------------------------------------------------------------------ worker process

interface ToParent {
  type: 'ready' | 'progress';
  completed?: number;
  lastAt?: number;
  node?: string;
}

async function workerProcess(): Promise<void> {
  const { BENCH_URLS, BENCH_QUEUE, BENCH_TYPE } = process.env;
  const send = (message: ToParent) => process.send?.(message);
  let completed = 0;
  let lastAt = 0;
  let node: string | undefined;
  const worker = new Worker({
    url: BENCH_URLS!.split(','),
    registry,
    queues: [BENCH_QUEUE!],
    concurrency: CONCURRENCY,
    topology: topologyFor(BENCH_QUEUE!, BENCH_TYPE as 'classic' | 'quorum'),
    handleSignals: false,
    presence: false,
  });
  worker.events.on('job:complete', () => {
    completed += 1;
    lastAt = Date.now();
  });
  worker.events.on('connection:connect', ({ role, endpoint }) => {
    if (role === 'consume') node = endpoint;
  });
  const timer = setInterval(() => send({ type: 'progress', completed, lastAt, node }), 100);
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'go') await worker.start();
    if (message.type === 'stop') {
      await worker.stop();
      send({ type: 'progress', completed, lastAt, node });
      clearInterval(timer);
      process.exit(0);
    }
  });
  send({ type: 'ready' });
}

// ------------------------------------------------------------------------------------------------- parent

interface Row {
  type: 'classic' | 'quorum';
  processes: number;
}

interface Sample {
  row: Row;
  enqueue: number;
  drain: number;
  nodes: string[];
}

function spawnWorker(env: Record<string, string>): { child: ChildProcess; last: ToParent; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker'], {
    env: { ...process.env, ...env, WARREN_LOG_LEVEL: process.env.WARREN_LOG_LEVEL ?? 'error' },
    // The workers' logs go to stderr with the progress lines: stdout is the table.
    stdio: ['ignore', process.stderr, process.stderr, 'ipc'],
  });
  const handle = { child, last: { type: 'progress' } as ToParent, ready: Promise.resolve() };
  handle.ready = new Promise((resolve, reject) => {
    child.on('message', (message: ToParent) => {
      if (message.type === 'ready') resolve();
      else handle.last = message;
    });
    child.on('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  return handle;
}

async function measure(urls: string[], row: Row): Promise<Sample> {
  const queue = `bench-cluster-${row.type}-${randomUUID().slice(0, 8)}`;
  const topology = topologyFor(queue, row.type);
  // The producer on c1 only: the queue (and a quorum queue's leader) is declared there.
  const producer = new AmqpAdapter({ url: [urls[0]!], topology });
  configure({ adapter: producer });
  const enqueueStart = performance.now();
  for (let offset = 0; offset < JOBS; offset += CHUNK) {
    const jobs = Array.from({ length: Math.min(CHUNK, JOBS - offset) }, (_, index) => ClusterBenchJob.set({ queue }).build(offset + index));
    const enqueued = await performAllLater(jobs);
    if (enqueued !== jobs.length) throw new Error(`${jobs.length - enqueued} jobs refused while pre-publishing`);
  }
  const enqueue = JOBS / ((performance.now() - enqueueStart) / 1000);
  await producer.close();

  const workers = Array.from({ length: row.processes }, (_, index) =>
    spawnWorker({ BENCH_URLS: addressesFrom(urls, index + 1).join(','), BENCH_QUEUE: queue, BENCH_TYPE: row.type }),
  );
  await Promise.all(workers.map((worker) => worker.ready));
  const start = Date.now();
  for (const worker of workers) worker.child.send({ type: 'go' });
  const total = () => workers.reduce((sum, worker) => sum + (worker.last.completed ?? 0), 0);
  const deadline = Date.now() + 600_000;
  while (total() < JOBS) {
    if (Date.now() > deadline) throw new Error(`drain of ${queue} did not finish: ${total()} of ${JOBS}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const end = Math.max(...workers.map((worker) => worker.last.lastAt ?? 0));
  const nodes = workers.map((worker) => worker.last.node ?? '?');
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          worker.child.once('exit', () => resolve());
          worker.child.send({ type: 'stop' });
        }),
    ),
  );
  const connection = await amqp.connect(urls[0]!);
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await connection.close();
  return { row, enqueue, drain: JOBS / ((end - start) / 1000), nodes };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const format = (value: number) => Math.round(value).toLocaleString('en-US');
const range = (values: number[]) => (values.length > 1 ? ` (${format(Math.min(...values))}–${format(Math.max(...values))})` : '');

async function main(): Promise<void> {
  const started = Date.now();
  // The producer's logs (one line per performAllLater) go to stderr, at warn unless WARREN_LOG_LEVEL says otherwise.
  configure({ logger: pino({ name: 'warren', level: process.env.WARREN_LOG_LEVEL ?? 'warn' }, pino.destination(2)) });
  const { urls } = await clusterUp();
  const rows: Row[] = [
    { type: 'classic', processes: 1 },
    { type: 'quorum', processes: 1 },
    { type: 'quorum', processes: 2 },
    { type: 'quorum', processes: 3 },
  ];
  const samples: Sample[] = [];
  for (let repetition = 1; repetition <= REPETITIONS; repetition += 1) {
    for (const row of rows) {
      const sample = await measure(urls, row);
      samples.push(sample);
      console.error(
        `[bench cluster] repetition ${repetition}: ${row.type}, ${row.processes} process(es) on ${sample.nodes.join(' ')}: ` +
          `enqueue ${format(sample.enqueue)} jobs/s, drain ${format(sample.drain)} jobs/s`,
      );
    }
  }
  const of = (row: Row) => samples.filter((sample) => sample.row === row);
  const drainRatio = (row: Row, base: Row) => {
    const ratios = of(row).map((sample, index) => sample.drain / of(base)[index]!.drain);
    return `${median(ratios).toFixed(2)}x`;
  };
  const [classic, quorum1] = rows as [Row, Row];
  console.log(`### Cluster drain (${JOBS} jobs pre-published, ${REPETITIONS} repetitions, worker concurrency ${CONCURRENCY}, medians (min–max))\n`);
  console.log('| queue | worker processes (first node) | enqueue, jobs/s | drain, jobs/s | drain vs 1 process | drain vs classic |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const enqueue = of(row).map((sample) => sample.enqueue);
    const drain = of(row).map((sample) => sample.drain);
    const firstNodes = ['c1', 'c2', 'c3'].slice(0, row.processes).join(', ');
    console.log(
      `| ${row.type}${row.type === 'quorum' ? ' (leader c1, 3 replicas)' : ' (on c1)'} | ${row.processes} (${firstNodes}) | ${format(median(enqueue))}${range(enqueue)} | ` +
        `${format(median(drain))}${range(drain)} | ${row.type === 'quorum' ? drainRatio(row, quorum1) : '1.00x'} | ${drainRatio(row, classic)} |`,
    );
  }
  console.log(`\nRun took ${((Date.now() - started) / 1000).toFixed(0)} s (cluster start included).`);
  if (process.env.BENCH_CLUSTER_DOWN === '1') await clusterDown();
}

if (process.argv[2] === 'worker') await workerProcess();
else await main();
