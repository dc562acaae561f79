// `npx tsx bench/queue-kinds.ts`: what each kind of queue costs the broker, with raw amqplib
// (no warren code): confirmed bulk enqueue and drain of the same messages on a classic queue
// version 1 and 2, with and without x-max-priority, and a quorum queue. The figures behind
// warren's default queue (DEFAULTS.topology: classic version 2, no priorities) and the quorum
// advice in docs/rabbitmq.md. Ratios are against classic version 2 in the same repetition.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const JOBS = Number(process.env.BENCH_JOBS ?? 30_000);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const BATCH = 1_000;
/** The size of warren's envelope for the comparison's 199-byte payload. */
const BODY = Buffer.alloc(527, 'x');

const KINDS: Record<string, { arguments: Record<string, unknown>; priority?: number }> = {
  'classic v2 (warren default)': { arguments: { 'x-queue-type': 'classic', 'x-queue-version': 2 } },
  'classic v1': { arguments: { 'x-queue-type': 'classic', 'x-queue-version': 1 } },
  'classic v1, x-max-priority 10 (warren 0.1 default)': { arguments: { 'x-queue-type': 'classic', 'x-max-priority': 10 }, priority: 5 },
  'classic v2, x-max-priority 10': { arguments: { 'x-queue-type': 'classic', 'x-queue-version': 2, 'x-max-priority': 10 }, priority: 5 },
  'classic v2, x-max-priority 3': { arguments: { 'x-queue-type': 'classic', 'x-queue-version': 2, 'x-max-priority': 3 }, priority: 1 },
  quorum: { arguments: { 'x-queue-type': 'quorum' } },
};
const BASELINE = 'classic v2 (warren default)';

interface Figures {
  enqueue: number;
  drain: number;
}

async function measure(kind: string): Promise<Figures> {
  const spec = KINDS[kind]!;
  const queue = `bench-kinds-${randomUUID().slice(0, 8)}`;
  const producer = await amqp.connect(URL, { noDelay: true });
  const consumer = await amqp.connect(URL, { noDelay: true });
  try {
    const publishing = await producer.createConfirmChannel();
    await publishing.assertQueue(queue, { durable: true, arguments: spec.arguments });
    const options = { persistent: true, ...(spec.priority === undefined ? {} : { priority: spec.priority }) };
    const enqueueStart = performance.now();
    for (let sent = 0; sent < JOBS; sent += BATCH) {
      for (let i = 0; i < BATCH; i += 1) publishing.publish('', queue, BODY, options);
      await publishing.waitForConfirms();
    }
    const enqueue = JOBS / ((performance.now() - enqueueStart) / 1000);
    const channel = await consumer.createChannel();
    await channel.prefetch(100);
    let received = 0;
    let drainStart = 0;
    await new Promise<void>((resolve) => {
      void channel.consume(queue, (message) => {
        if (!message) return;
        if (received === 0) drainStart = performance.now();
        received += 1;
        channel.ack(message);
        if (received === JOBS) resolve();
      });
    });
    const drain = JOBS / ((performance.now() - drainStart) / 1000);
    await publishing.deleteQueue(queue);
    return { enqueue, drain };
  } finally {
    await consumer.close();
    await producer.close();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const samples = new Map<string, Figures[]>();
const ratios = new Map<string, Figures[]>();
for (let rep = 0; rep < REPETITIONS; rep += 1) {
  const names = Object.keys(KINDS);
  const order = names.map((_, i) => names[(i + rep) % names.length]!);
  const round = new Map<string, Figures>();
  for (const kind of order) {
    const figures = await measure(kind);
    round.set(kind, figures);
    samples.set(kind, [...(samples.get(kind) ?? []), figures]);
    process.stderr.write(`rep ${rep + 1}/${REPETITIONS} ${kind}: enqueue ${Math.round(figures.enqueue)}/s, drain ${Math.round(figures.drain)}/s\n`);
  }
  const base = round.get(BASELINE)!;
  for (const [kind, figures] of round) {
    ratios.set(kind, [...(ratios.get(kind) ?? []), { enqueue: figures.enqueue / base.enqueue, drain: figures.drain / base.drain }]);
  }
}

console.log(
  `queue kinds: ${JOBS} messages of ${BODY.length} bytes, persistent, confirmed in windows of ${BATCH}, prefetch 100; ${REPETITIONS} repetitions, median (ratio to ${BASELINE}: median of each repetition's ratio)\n`,
);
console.log('| queue | enqueue (msg/s) | drain (msg/s) | enqueue ratio | drain ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const kind of Object.keys(KINDS)) {
  const figures = samples.get(kind)!;
  const ratio = ratios.get(kind)!;
  console.log(
    `| ${kind} | ${Math.round(median(figures.map((f) => f.enqueue))).toLocaleString('en')} | ${Math.round(median(figures.map((f) => f.drain))).toLocaleString('en')} | ` +
      `${median(ratio.map((r) => r.enqueue)).toFixed(2)}x | ${median(ratio.map((r) => r.drain)).toFixed(2)}x |`,
  );
}
