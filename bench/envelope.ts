// Envelope hot path: serialize arguments + encode, decode + deserialize arguments, for the
// JSON and protobuf codecs. Baseline measured in the same run: JSON.stringify/JSON.parse of
// the same plain payload (the floor any JSON envelope pays). Prints figures; not a test.
import { performance } from 'node:perf_hooks';
import { deserializeArguments, ENVELOPE_VERSION, jsonCodec, protobufCodec, serializeArguments, type Envelope, type EnvelopeCodec } from '../src/index.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 50_000);
const args = [{ user_id: 42, email: 'ada@example.com', locale: 'en', tags: ['welcome', 'trial'], sent_at: new Date() }];

function envelopeFor(serialized: Envelope['arguments']): Envelope {
  return {
    job_class: 'WelcomeEmailJob',
    job_id: '8b9f6c2e-1d3a-4f5b-9c7d-2e1f0a9b8c7d',
    provider_job_id: null,
    queue_name: 'mailers',
    priority: null,
    arguments: serialized,
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: new Date().toISOString(),
    scheduled_at: null,
    envelope_version: ENVELOPE_VERSION,
  };
}

async function rate(_label: string, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2_000; i++) await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  const perSecond = ITERATIONS / ((performance.now() - start) / 1000);
  return perSecond;
}

async function main(): Promise<void> {
  const plain = { ...envelopeFor([{ ...args[0], sent_at: args[0]!.sent_at.toISOString() }]) };
  const plainText = JSON.stringify(plain);
  const baselineEncode = await rate('baseline encode', () => JSON.stringify(plain));
  const baselineDecode = await rate('baseline decode', () => JSON.parse(plainText));

  const rows: string[][] = [];
  for (const codec of [jsonCodec, protobufCodec] as EnvelopeCodec[]) {
    const body = codec.encode(envelopeFor(serializeArguments(args)));
    const encode = await rate('encode', () => codec.encode(envelopeFor(serializeArguments(args))));
    const decode = await rate('decode', () => deserializeArguments(codec.decode(body).arguments));
    rows.push([codec.contentType, String(body.length), fmt(encode), ratio(encode, baselineEncode), fmt(decode), ratio(decode, baselineDecode)]);
  }
  console.log(`envelope benchmark, ${ITERATIONS} iterations, node ${process.version}`);
  console.log(`baseline (JSON.stringify / JSON.parse of the same envelope): encode ${fmt(baselineEncode)}/s, decode ${fmt(baselineDecode)}/s\n`);
  console.log('| codec | bytes | enqueue side (args + encode) /s | vs baseline | worker side (decode + args) /s | vs baseline |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (n: number, base: number): string => `${(n / base).toFixed(2)}x`;

await main();
