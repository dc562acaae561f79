// Producers in other languages (examples/python, examples/go, examples/ruby) publish the
// `send_invoice` handler job to the real broker; a warren HandlerWorker performs it with
// exactly the arguments sent, and with OpenTelemetry its span is the child of the W3C
// `traceparent` the producer sent.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetArgumentRegistries } from '../../src/testing/index.js';
import {
  CalendarDate,
  currentLocale,
  currentTimezone,
  Decimal,
  type HandlerArgs,
  type HandlerContext,
  HandlerWorker,
  registerLocator,
} from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { INTEROP_PACKAGES, buildGoProducer, ensureDebianPackages, generatePythonProto } from '../support/interop/toolchains.js';
import { examplesDir } from '../support/paths.js';
import { run, runOk } from '../support/processes.js';
import { useOtelApi } from '../../src/tracing/otel-api.js';

const url = inject('amqpUrl');

/** A fresh W3C traceparent, as the producer's own span would be: trace id, span id. */
function newTraceparent(): { traceparent: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

interface Performed {
  args: HandlerArgs;
  context: HandlerContext;
  locale: string;
  timezone: string;
}

/** What every producer sends, as the handler must receive it. */
const expectedArgs = {
  invoice: { model: 'Invoice', id: '1042' }, // located through the registered Invoice locator
  customer: { name: 'Zoë Martín', tags: ['vip', 'eu'], address: { city: 'Sevilla', lines: ['Calle Betis 1', '2º B'] } },
  due_on: new CalendarDate(2024, 5, 31),
  issued_at: new Date('2024-05-01T12:30:45.123Z'),
  amount_cents: 2n ** 53n + 1n,
  ledger_entry: 2n ** 127n - 1n,
  total: new Decimal('90071992547409.93'),
  ratio: 0.1,
};

describe('producers in other languages', () => {
  const prefix = uniquePrefix();
  const queue = `${prefix}invoices`;
  const deadLetterQueue = `${prefix}dead`;
  const performed = new Map<string, Performed>();
  let worker: HandlerWorker;
  let broker: BrokerProbe;
  let goProducer: string;
  let pythonProto: string;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    useOtelApi(undefined);
    ensureDebianPackages([...INTEROP_PACKAGES.python, ...INTEROP_PACKAGES.go, ...INTEROP_PACKAGES.ruby]);
    goProducer = buildGoProducer();
    pythonProto = generatePythonProto();
    registerLocator('Invoice', { find: (id) => ({ model: 'Invoice', id }) });
    broker = await BrokerProbe.open(url);
    worker = new HandlerWorker({ url, queues: [queue], deadLetterQueue, handleSignals: false });
    worker.register('send_invoice', (args, context) => {
      performed.set(context.jobId, { args, context, locale: currentLocale(), timezone: currentTimezone() });
    });
    await worker.start(); // declares the queue and binds it to the warren exchange
  }, 900_000); // installing the packages on a fresh machine takes a while

  afterAll(async () => {
    await worker?.stop();
    await broker?.deleteQueues([queue, deadLetterQueue]);
    await broker?.close();
    resetArgumentRegistries();
    trace.disable();
    propagation.disable();
    context.disable();
    await provider.shutdown();
    useOtelApi(undefined);
  });

  /** warren's span for performing the job. */
  async function processSpan(jobId: string): Promise<ReadableSpan> {
    const find = () => exporter.getFinishedSpans().find((span) => span.attributes['warren.job.id'] === jobId && span.name === `process ${queue}`);
    await waitFor(() => find() !== undefined, `the process span of ${jobId}`);
    return find()!;
  }

  /** The job's span in warren is the child of the traceparent the producer sent. */
  async function expectChildOf(stdout: string, sent: { traceId: string; spanId: string }): Promise<void> {
    const span = await processSpan(stdout.trim());
    expect(span.parentSpanContext).toMatchObject({ traceId: sent.traceId, spanId: sent.spanId, isRemote: true });
    expect(span.spanContext().traceId).toBe(sent.traceId);
  }

  async function expectPerformed(stdout: string, producer: string): Promise<void> {
    const jobId = stdout.trim();
    expect(jobId, `${producer} prints the job id`).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => performed.has(jobId), `the job ${producer} published`);
    const job = performed.get(jobId)!;
    expect(job.args).toEqual(expectedArgs);
    expect(job.context).toMatchObject({ handler: 'send_invoice', queue, locale: 'es', timezone: 'Europe/Madrid', executions: 1 });
    expect({ locale: job.locale, timezone: job.timezone }).toEqual({ locale: 'es', timezone: 'Europe/Madrid' });
  }

  it('Python (pika) publishes a JSON envelope that warren performs with the exact arguments, in the trace of $TRACEPARENT', async () => {
    const sent = newTraceparent();
    const stdout = await runOk('/usr/bin/python3', [join(examplesDir, 'python', 'producer.py'), '--url', url, '--queue', queue], {
      env: { ...process.env, TRACEPARENT: sent.traceparent },
    });
    await expectPerformed(stdout, 'the Python producer');
    await expectChildOf(stdout, sent);
  });

  it('Python publishes the protobuf encoding with classes generated by protoc, performed the same (a new trace without $TRACEPARENT)', async () => {
    const script = join(examplesDir, 'python', 'producer.py');
    const { TRACEPARENT: _unset, ...env } = process.env;
    const stdout = await runOk('/usr/bin/python3', [script, '--url', url, '--queue', queue, '--encoding', 'protobuf', '--proto-out', pythonProto], { env });
    await expectPerformed(stdout, 'the Python protobuf producer');
    const span = await processSpan(stdout.trim());
    // The producer generated a valid traceparent: warren continued its trace.
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.parentSpanContext?.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
  });

  it('Go (amqp091-go) publishes a JSON envelope that warren performs with the exact arguments, in the trace of $TRACEPARENT', async () => {
    const sent = newTraceparent();
    const stdout = await runOk(goProducer, ['-url', url, '-queue', queue], { env: { ...process.env, TRACEPARENT: sent.traceparent } });
    await expectPerformed(stdout, 'the Go producer');
    await expectChildOf(stdout, sent);
  });

  it('Ruby (bunny) publishes a JSON envelope that warren performs with the exact arguments, in the trace of $TRACEPARENT', async () => {
    const sent = newTraceparent();
    const stdout = await runOk('ruby', [join(examplesDir, 'ruby', 'producer.rb'), '--url', url, '--queue', queue], {
      env: { ...process.env, TRACEPARENT: sent.traceparent, TRACESTATE: 'ruby=producer' },
    });
    await expectPerformed(stdout, 'the Ruby producer');
    await expectChildOf(stdout, sent);
    expect((await processSpan(stdout.trim())).spanContext().traceState?.get('ruby')).toBe('producer');
  });

  it('each producer refuses a malformed $TRACEPARENT before publishing', async () => {
    const env = { ...process.env, TRACEPARENT: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' };
    const results = await Promise.all([
      run('/usr/bin/python3', [join(examplesDir, 'python', 'producer.py'), '--url', url, '--queue', queue], { env }),
      run(goProducer, ['-url', url, '-queue', queue], { env }),
      run('ruby', [join(examplesDir, 'ruby', 'producer.rb'), '--url', url, '--queue', queue], { env }),
    ]);
    for (const result of results) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('not a W3C traceparent');
      expect(result.stdout).toBe('');
    }
  });

  it('each producer reports an unroutable job (no queue bound) as a failure instead of losing it', async () => {
    const nowhere = `${prefix}nobody-listens`;
    const results = await Promise.all([
      run('/usr/bin/python3', [join(examplesDir, 'python', 'producer.py'), '--url', url, '--queue', nowhere]),
      run(goProducer, ['-url', url, '-queue', nowhere]),
      run('ruby', [join(examplesDir, 'ruby', 'producer.rb'), '--url', url, '--queue', nowhere]),
    ]);
    for (const result of results) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('unroutable');
    }
  });
});
