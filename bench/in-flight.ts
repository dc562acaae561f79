// `npx tsx bench/in-flight.ts`: what a delivery costs the worker's young generation, in one
// process without a broker, on warren compiled by esbuild (not through tsx: tsx compiles with
// keepNames, which gives every closure a property array and inflates these figures).
//   held:    heap kept per delivery while its perform is pending (5,000 pending, after full
//            GCs, minus the messages themselves), and a heap-snapshot census of what it is;
//   batches: µs and KB of garbage per delivery when deliveries arrive 100 at a time, as a
//            full prefetch hands them over, through performDelivery as the Worker calls it.
// Both sizes drive V8's semi-space growth, and so the worker's RSS (bench/README.md, "Memory").
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';
import { configure, Job, JobRegistry, jsonCodec, settings } from '../src/index.js';
import { TypedEmitter } from '../src/support/typed-emitter.js';
import { prepareEnvelope } from '../src/job/enqueuing.js';
import type { Delivery } from '../src/worker/delivery.js';
import type { WorkerEvents } from '../src/worker/events.js';
import { performDelivery, type DeliveryContext } from '../src/worker/perform-delivery.js';
import type { VerdictSink } from '../src/worker/delivery.js';
import { benchJobClass, benchRegistry } from './compare/bench-job.js';
import { benchPayload } from './compare/payload.js';
import { deliveredMessage, noAdapter } from './in-process.js';

const mode = process.env.IN_FLIGHT_MODE;

if (mode === undefined) {
  // Parent: bundle this file with esbuild, run each mode in a child with its V8 flags.
  const { buildSync } = await import('esbuild');
  const out = join(fileURLToPath(new URL('.', import.meta.url)), '.build', `in-flight-${process.pid}.mjs`);
  buildSync({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'error',
  });
  try {
    for (const [name, flags] of [
      ['held', ['--expose-gc']],
      ['batches', ['--max-semi-space-size=1', '--min-semi-space-size=1']],
    ] as const) {
      const child = spawnSync(process.execPath, [...flags, out], { env: { ...process.env, IN_FLIGHT_MODE: name }, stdio: 'inherit' });
      if (child.status !== 0) process.exitCode = 1;
    }
  } finally {
    rmSync(out, { force: true });
  }
} else {
  configure({ logger: pino({ name: 'warren', level: process.env.WARREN_LOG_LEVEL ?? 'info' }, pino.destination({ dest: '/dev/null', sync: true })) });
  if (mode === 'held') await held();
  else await batches();
}

function contextFor(registry: JobRegistry): DeliveryContext {
  const logger = settings().logger.child({ component: 'worker' });
  return {
    registry,
    adapter: noAdapter,
    events: new TypedEmitter<WorkerEvents>(),
    logger,
    maxMessageBytes: 1 << 20,
    signatures: undefined,
    signal: new AbortController().signal,
    abandoned: () => false,
  };
}

function deliveryOf(body: Buffer, jobId: string): Delivery {
  const message = deliveredMessage({ job_id: jobId } as never, body);
  return { message, queue: 'bench', channel: undefined, generation: 1, settled: false, ackQueued: false } as unknown as Delivery;
}

async function held(): Promise<void> {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const N = 5_000;
  let release!: () => void;
  let gate = new Promise<void>((resolve) => (release = resolve));
  class GatedJob extends Job {
    static override jobName = 'BenchJob';
    async perform(_payload: unknown): Promise<void> {
      await gate;
    }
  }
  const context = contextFor(new JobRegistry().register(GatedJob));
  let ended = 0;
  const sink: VerdictSink = { verdict: () => (ended += 1), error: () => (ended += 1) };
  const deliveries = (): Delivery[] =>
    Array.from({ length: N }, (_, i) => {
      const envelope = prepareEnvelope(GatedJob.build(benchPayload(i)));
      return deliveryOf(jsonCodec.encode(envelope), envelope.job_id);
    });
  const settle = async (): Promise<void> => {
    release();
    while (ended < N) await new Promise((resolve) => setImmediate(resolve));
    ended = 0;
    gate = new Promise<void>((resolve) => (release = resolve));
  };
  const perDelivery: number[] = [];
  for (let round = 0; round < 3; round++) {
    const pending = deliveries();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const delivery of pending) performDelivery(delivery, context, sink);
    gc();
    perDelivery.push((process.memoryUsage().heapUsed - before) / N);
    await settle();
  }
  perDelivery.sort((a, b) => a - b);
  console.log(`heap held per delivery in flight (perform pending; 5,000 deliveries, median of 3): ${perDelivery[1]!.toFixed(0)} bytes\n`);

  const pending = deliveries();
  gc();
  const base = census(writeHeapSnapshot(join(tmpdir(), `warren-in-flight-${process.pid}-a.heapsnapshot`)));
  for (const delivery of pending) performDelivery(delivery, context, sink);
  gc();
  const during = census(writeHeapSnapshot(join(tmpdir(), `warren-in-flight-${process.pid}-b.heapsnapshot`)));
  await settle();
  const rows: string[] = [];
  for (const [key, [count, bytes]] of during) {
    const [count0, bytes0] = base.get(key) ?? [0, 0];
    if (bytes - bytes0 >= N * 16) rows.push(`| ${key} | ${((count - count0) / N).toFixed(2)} | ${((bytes - bytes0) / N).toFixed(0)} |`);
  }
  rows.sort((a, b) => Number(b.split('|')[3]) - Number(a.split('|')[3]));
  console.log('what it is (heap snapshot, per delivery; 16 bytes or more):\n\n| kind: constructor | objects | bytes |\n|---|---|---|');
  console.log(`${rows.join('\n')}\n`);
}

/** Self size and count per (node type, constructor name) of a heap snapshot, which is deleted. */
function census(file: string): Map<string, [number, number]> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  rmSync(file, { force: true });
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const result = new Map<string, [number, number]>();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const named = type === 'object' || type === 'closure' || type === 'hidden' || type === 'array';
    const key = named ? `${type}: ${snapshot.strings[snapshot.nodes[i + nameAt]!]!.slice(0, 50) || '(anonymous)'}` : type;
    const entry = result.get(key) ?? [0, 0];
    entry[0] += 1;
    entry[1] += snapshot.nodes[i + sizeAt]!;
    result.set(key, entry);
  }
  return result;
}

async function batches(): Promise<void> {
  const BenchJob = benchJobClass('bench');
  const context = contextFor(benchRegistry(BenchJob));
  const body = jsonCodec.encode(prepareEnvelope(BenchJob.build(benchPayload(1))));
  let left = 0;
  let wake: () => void = () => {};
  const onEnd = (): void => {
    left -= 1;
    if (left === 0) wake();
  };
  const sink: VerdictSink = { verdict: onEnd, error: onEnd };
  const batch = async (): Promise<void> => {
    left = 100;
    const all = new Promise<void>((resolve) => (wake = resolve));
    for (let i = 0; i < 100; i++) performDelivery(deliveryOf(body, 'bench'), context, sink);
    await all;
  };
  let scavenges = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === 1) scavenges += 1;
  }).observe({ entryTypes: ['gc'] });
  for (let i = 0; i < 200; i++) await batch(); // warm-up
  await new Promise((resolve) => setTimeout(resolve, 10));
  const ROUNDS = 7;
  const BATCHES = 300;
  const scavengesBefore = scavenges;
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let i = 0; i < BATCHES; i++) await batch();
    rounds.push(((performance.now() - start) * 1000) / (BATCHES * 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  rounds.sort((a, b) => a - b);
  const garbage = ((scavenges - scavengesBefore) * 1024) / (ROUNDS * BATCHES * 100);
  console.log(
    `deliveries 100 at a time through performDelivery (median of ${ROUNDS} rounds of ${BATCHES * 100}): ${rounds[3]!.toFixed(2)} µs and ${garbage.toFixed(2)} KB of garbage per delivery (1 MB semi-spaces)`,
  );
}
