// Where warren allocates, per job: V8's sampling heap profiler, counting objects the
// young-generation GC already collected (the garbage that sizes the young generation and its
// pauses). Prints the allocation sites by self bytes per job.
//   npx tsx bench/alloc-sites.ts            the worker: performDelivery as the worker's DeliveryProcessor calls it
//                                           calls it, in one process without a broker
//   npx tsx bench/alloc-sites.ts producer   the producer: performLater on an AmqpAdapter,
//                                           100 in flight, against the broker (AMQP_URL)
//   npx tsx bench/alloc-sites.ts drain      a Worker (concurrency 100) draining a queue filled
//                                           beforehand, against the broker
// WARREN_LOG_LEVEL=warn leaves out the per-job log line. BENCH_ALLOC_RATE=2000 (producer) paces
// performLater at that many jobs per second, as the latency stage does.
// What outlives the young generation cannot be read from this profiler (its samples survive
// scavenges themselves): run the script without it under `node --trace-gc` (or
// --trace-gc-nvp: promoted= per scavenge) and compare variants, as bench/README.md did.
import { Session } from 'node:inspector/promises';
import pino from 'pino';
import { AmqpAdapter, configure, jsonCodec, performAllLater, settings, Worker } from '../src/index.js';
import { removeQueue, uniqueQueueName } from './compare/broker.js';
import { CONFIG } from './compare/config.js';
import { TypedEmitter } from '../src/support/typed-emitter.js';
import { prepareEnvelope } from '../src/job/enqueuing.js';
import type { Delivery } from '../src/worker/delivery.js';
import type { WorkerEvents } from '../src/worker/events.js';
import type { DeliveryVerdict } from '../src/worker/delivery.js';
import { performDelivery, type DeliveryContext } from '../src/worker/perform-delivery.js';
import { benchJobClass, benchRegistry } from './compare/bench-job.js';
import { benchPayload } from './compare/payload.js';
import { deliveredMessage, noAdapter } from './in-process.js';

const JOBS = Number(process.env.BENCH_ITERATIONS ?? (process.argv[2] === 'producer' || process.argv[2] === 'drain' ? 30_000 : 100_000));
const level = process.env.WARREN_LOG_LEVEL ?? 'info';
// The worker's default: pino writing synchronously (to /dev/null here).
configure({ logger: pino({ name: 'warren', level }, pino.destination({ dest: '/dev/null', sync: true })) });

const BenchJob = benchJobClass('bench');
const registry = benchRegistry(BenchJob);
const envelope = prepareEnvelope(BenchJob.build(benchPayload(1)));
const message = deliveredMessage(envelope, jsonCodec.encode(envelope));
const context = {
  registry,
  adapter: noAdapter,
  events: new TypedEmitter<WorkerEvents>(),
  logger: settings().logger.child({ component: 'worker' }),
  maxMessageBytes: 1024 * 1024,
  signatures: undefined,
  signal: new AbortController().signal,
  abandoned: () => false,
};
const mode = process.argv[2] === 'producer' ? 'producer' : process.argv[2] === 'drain' ? 'drain' : 'worker';
const rate = Number(process.env.BENCH_ALLOC_RATE ?? 0);
const producerQueue = uniqueQueueName('warren');
const producer = mode === 'producer' || mode === 'drain' ? new AmqpAdapter({ url: CONFIG.amqpUrl }) : undefined;
const ProducerJob = benchJobClass(producerQueue);
if (producer) ProducerJob.adapter = producer;

const fill = async (count: number): Promise<void> => {
  for (let i = 0; i < count; i += 1000)
    await performAllLater(Array.from({ length: Math.min(1000, count - i) }, (_, k) => ProducerJob.build(benchPayload(i + k))));
};

/** Drains `count` jobs already in the queue with a Worker. */
const drain = async (count: number): Promise<void> => {
  let performed = 0;
  let finished!: () => void;
  const allPerformed = new Promise<void>((resolve) => (finished = resolve));
  const DrainJob = benchJobClass(producerQueue, () => {
    if (++performed === count) finished();
  });
  const worker = new Worker({ url: CONFIG.amqpUrl, registry: benchRegistry(DrainJob), queues: [producerQueue], concurrency: 100, handleSignals: false });
  await worker.start();
  await allPerformed;
  await worker.stop();
};

const run = async (count: number): Promise<void> => {
  if (mode === 'drain') {
    await fill(count);
    return drain(count);
  }
  if (mode === 'producer' && rate > 0) {
    const started = performance.now();
    let pending = 0;
    for (let sent = 0; sent < count; ) {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        pending += 1;
        void ProducerJob.performLater(benchPayload(sent)).finally(() => (pending -= 1));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    while (pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    return;
  }
  if (mode === 'producer') {
    for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => ProducerJob.performLater(benchPayload(i + k))));
    return;
  }
  for (let i = 0; i < count; i++) {
    await verdictOf({ message, queue: 'bench', channel: undefined, generation: 1, settled: false } as unknown as Delivery, context);
  }
};

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

await run(mode === 'producer' && rate > 0 ? rate : 5_000);
// A drain samples the worker only: the queue is filled before sampling starts.
if (mode === 'drain') await fill(JOBS);
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
} as never);
await (mode === 'drain' ? drain(JOBS) : run(JOBS));
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
session.disconnect();

const bySite = new Map<string, number>();
const walk = (node: ProfileNode): void => {
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child);
};
walk(profile.head);
const total = [...bySite.values()].reduce((sum, bytes) => sum + bytes, 0);
if (producer) {
  await producer.close();
  await removeQueue('warren', producerQueue);
}
const what = mode === 'producer' ? 'performLater on an AmqpAdapter' : mode === 'drain' ? 'a Worker draining a filled queue' : 'performDelivery';
console.log(`${what}${rate > 0 ? ` at ${rate} jobs/s` : ''}, ${JOBS} jobs, log level ${level}: ${(total / JOBS / 1024).toFixed(2)} KB sampled per job\n`);
console.log('| allocation site | bytes per job |');
console.log('|---|---|');
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`| ${site} | ${(bytes / JOBS).toFixed(0)} |`);
}

/** performDelivery with its verdict as a promise. */
function verdictOf(delivery: Delivery, context: DeliveryContext): Promise<DeliveryVerdict> {
  return new Promise((resolve, reject) =>
    performDelivery(delivery, context, { verdict: (_, verdict) => resolve(verdict), error: (_, error) => reject(error) }),
  );
}
