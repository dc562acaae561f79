// warren's per-job CPU without a broker: the producer's work for one job (build, envelope,
// encode, message properties) and the worker's work for one delivery (decode, registry,
// executeEnvelope with callbacks and logging, events, verdict), in this process, step by
// step, next to the floor a raw amqplib client pays (JSON.stringify / JSON.parse of the
// payload). Same payload and job as bench/compare.ts. No broker noise: the quick check
// for the optimization phase. µs per job, medians of 5 rounds.
//
// Garbage per job: run with 1 MB semi-spaces and each scavenge (minor GC) marks about 1 MB
// allocated, so scavenges x 1 MB / jobs is the garbage per job (calibrated against arrays of
// known size): node --max-semi-space-size=1 --min-semi-space-size=1 --import tsx bench/hot-path.ts
import { performance, PerformanceObserver } from 'node:perf_hooks';
import pino from 'pino';
import { codecFor, configure, deserializeArguments, jsonCodec, settings, type QueueAdapter } from '../src/index.js';
import { jobMessageProperties } from '../src/amqp/message.js';
import { TypedEmitter } from '../src/support/typed-emitter.js';
import { prepareEnvelope } from '../src/job/enqueuing.js';
import { executeEnvelope } from '../src/job/execution.js';
import type { Delivery } from '../src/worker/delivery.js';
import type { WorkerEvents } from '../src/worker/events.js';
import type { DeliveryVerdict } from '../src/worker/delivery.js';
import { performDelivery, type DeliveryContext } from '../src/worker/perform-delivery.js';
import { RunningJobs } from '../src/worker/running-jobs.js';
import type { ContinuationSupport } from '../src/worker/continuation-host.js';
import { benchJobClass, benchRegistry } from './compare/bench-job.js';
import { benchPayload } from './compare/payload.js';
import { deliveredMessage, noAdapter } from './in-process.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const ROUNDS = 5;

// As a worker logs by default (info, asynchronous writes), but to /dev/null instead of this output.
const level = process.env.WARREN_LOG_LEVEL ?? 'info';
configure({ logger: pino({ name: 'warren', level }, pino.destination({ dest: '/dev/null', sync: false })) });

const BenchJob = benchJobClass('bench');
const registry = benchRegistry(BenchJob);
const payload = benchPayload(1);
const plainBody = Buffer.from(JSON.stringify(payload));
const envelope = prepareEnvelope(BenchJob.build(payload));
const body = jsonCodec.encode(envelope);

/** Accepts every job at once after encoding it, as AmqpAdapter does before amqplib: performLater's own cost. */
const encodingAdapter: QueueAdapter = {
  ...noAdapter,
  name: 'encode-only',
  enqueue: async (prepared) => {
    jsonCodec.encode(prepared);
    return {};
  },
};
const OneByOneJob = benchJobClass('bench');
OneByOneJob.adapter = encodingAdapter;
const workerLogger = settings().logger.child({ component: 'worker' });

/** What a Worker gives continuable jobs; never touched by a job without steps (the checkpoint queues are never opened here). */
/** One context for every delivery, as a Worker has, with continuation support (built on first use). */
let workerContext: DeliveryContext | undefined;
const continuationSupport: ContinuationSupport = {
  stopping: new AbortController().signal,
  checkpoints: undefined as unknown as ContinuationSupport['checkpoints'],
  checkpointIntervalMs: 5_000,
  deadlineFor: () => ({ consumerTimeoutMs: 1_800_000, interruptAfterMs: 1_740_000 }),
  logger: workerLogger,
};
const events = new TypedEmitter<WorkerEvents>();
const message = deliveredMessage(envelope, body);
const runningJobs = new RunningJobs({ cancels: 20, retries: 20 });

const countsGarbage = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--max-semi-space-size=1');
let scavenges = 0;
if (countsGarbage) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges += 1;
  }).observe({ entryTypes: ['gc'] });
}

/** µs per call (median of the rounds) and, with 1 MB semi-spaces, KB of garbage per call. */
async function measure(fn: () => unknown): Promise<{ micros: number; kilobytes: number }> {
  const rounds: number[] = [];
  await new Promise((resolve) => setTimeout(resolve, 10)); // gc entries arrive on a later turn
  const scavengesBefore = scavenges;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) await fn();
    rounds.push(((performance.now() - start) * 1000) / ITERATIONS);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  const kilobytes = ((scavenges - scavengesBefore) * 1024) / (ITERATIONS * ROUNDS);
  return { micros: rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!, kilobytes };
}

const steps: [string, () => unknown][] = [
  ['floor: Buffer.from(JSON.stringify(payload))', () => Buffer.from(JSON.stringify(payload))],
  ['producer: build + prepareEnvelope (arguments, times, locale)', () => prepareEnvelope(BenchJob.build(payload))],
  ['producer: ... + jsonCodec.encode', () => jsonCodec.encode(prepareEnvelope(BenchJob.build(payload)))],
  [
    'producer: ... + jobMessageProperties (what AmqpAdapter adds before amqplib)',
    () => {
      const prepared = prepareEnvelope(BenchJob.build(payload));
      jsonCodec.encode(prepared);
      return jobMessageProperties(prepared, jsonCodec.contentType, 5);
    },
  ],
  ['producer: performLater, adapter only encodes (callbacks, log line, envelope, encode)', () => OneByOneJob.performLater(payload)],
  ['floor: JSON.parse(body)', () => JSON.parse(plainBody.toString('utf8'))],
  ['worker: codecFor + jsonCodec.decode', () => codecFor('application/json').decode(body)],
  ['worker: ... + deserializeArguments', () => deserializeArguments(codecFor('application/json').decode(body).arguments)],
  [
    'worker: executeEnvelope (no decode)',
    () => executeEnvelope(envelope, registry, { logger: workerLogger, signal: new AbortController().signal, adapter: noAdapter }),
  ],
  ['worker: performDelivery, as the DeliveryProcessor calls it (decode + execute + events)', () => verdictOf(benchDelivery(), deliveryContext())],
  [
    'worker: the same with the continuation support every Worker passes (a job without steps uses none of it)',
    () => verdictOf(benchDelivery(), (workerContext ??= { ...deliveryContext(), continuations: continuationSupport })),
  ],
  [
    "worker: the same with presence's RunningJobs tracking the job and counting its ack (heartbeats' per-job cost)",
    () => verdictOf(benchDelivery(), { ...deliveryContext(), tracker: runningJobs }, runningJobs),
  ],
];

console.log(`warren hot paths in-process, no broker: ${ITERATIONS} jobs x ${ROUNDS} rounds, median; node ${process.version}, log level ${level}`);
console.log(`envelope ${body.length} bytes (payload ${plainBody.length} bytes)\n`);
if (!countsGarbage) console.log('(garbage per job: run with --max-semi-space-size=1 --min-semi-space-size=1)\n');
console.log(countsGarbage ? '| step | µs per job | KB of garbage per job |' : '| step | µs per job |');
console.log(countsGarbage ? '|---|---|---|' : '|---|---|');
for (const [label, fn] of steps) {
  for (let i = 0; i < 2_000; i++) await fn(); // warm-up
  const { micros, kilobytes } = await measure(fn);
  console.log(countsGarbage ? `| ${label} | ${micros.toFixed(2)} | ${kilobytes.toFixed(2)} |` : `| ${label} | ${micros.toFixed(2)} |`);
}

/** A delivery of the bench message, as the consumer hands it on. */
function benchDelivery(): Delivery {
  return { message, queue: 'bench', channel: undefined, generation: 1, settled: false } as unknown as Delivery;
}

/** The worker's context for one delivery, without presence. */
function deliveryContext(): DeliveryContext {
  return {
    registry,
    adapter: noAdapter,
    events,
    logger: workerLogger,
    maxMessageBytes: 1024 * 1024,
    signatures: undefined,
    signal: new AbortController().signal,
    abandoned: () => false,
  };
}

/** performDelivery with its verdict as a promise. */
function verdictOf(delivery: Delivery, context: DeliveryContext, counter?: RunningJobs): Promise<DeliveryVerdict> {
  return new Promise((resolve, reject) =>
    performDelivery(delivery, context, {
      verdict: (_, verdict) => {
        counter?.acked(delivery.queue); // as the DeliveryProcessor counts an ack
        resolve(verdict);
      },
      error: (_, error) => reject(error),
    }),
  );
}
