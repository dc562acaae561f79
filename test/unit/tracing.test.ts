// The OpenTelemetry layer (src/tracing/) without a broker: the lazy loader and its no-op when
// the API is missing, the idle check when it is installed with nothing registered, and the spans
// and headers with an in-memory SDK.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Context, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startProcessTrace, startPublishTrace, type ReceivedMessage } from '../../src/tracing/job-spans.js';
import { loadOtelApi, otelApi, tracingActive, useOtelApi, type OtelApi } from '../../src/tracing/otel-api.js';
import { envelopeOf } from '../support/envelope.js';
import { repositoryRoot } from '../support/paths.js';

const run = promisify(execFile);
const envelope = envelopeOf('TracedJob', [], { queue_name: 'mail', executions: 2 });

function received(headers: unknown, overrides: Partial<ReceivedMessage['fields']> = {}): ReceivedMessage {
  return {
    content: Buffer.from('{}'),
    fields: { exchange: 'warren', routingKey: 'mail', deliveryTag: 7, redelivered: false, ...overrides },
    properties: { messageId: 'job-1', headers },
  };
}

describe('loading @opentelemetry/api', () => {
  afterEach(() => useOtelApi(undefined));

  it('is undefined when the package is missing, fails to load, or is not the API', () => {
    const missing = Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    expect(
      loadOtelApi(() => {
        throw missing;
      }),
    ).toBeUndefined();
    expect(loadOtelApi(() => ({}))).toBeUndefined();
    expect(loadOtelApi(() => undefined)).toBeUndefined();
    expect(loadOtelApi(() => ({ trace: { getTracer: 'not a function' } }))).toBeUndefined();
  });

  it('loads the installed API', () => {
    const api = loadOtelApi(createRequire(import.meta.url));
    expect(api?.trace).toBe(trace);
    expect(otelApi()?.propagation).toBe(propagation);
  });

  it('without the API every tracing call is a no-op returning undefined', () => {
    useOtelApi(null);
    expect(otelApi()).toBeUndefined();
    expect(startPublishTrace(envelope, 0)).toBeUndefined();
    expect(startProcessTrace('mail', received({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))).toBeUndefined();
  });

  it('with the API installed and nothing registered, tracing is idle: no spans, no headers', () => {
    const api = otelApi()!;
    expect(tracingActive(api)).toBe(false);
    expect(startPublishTrace(envelope, 0)).toBeUndefined();
    expect(startProcessTrace('mail', received(undefined))).toBeUndefined();
  });

  it('a process where @opentelemetry/api cannot be resolved loads warren and traces nothing', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-no-otel-'));
    try {
      // Makes the package unresolvable, as when the application did not install it.
      writeFileSync(
        join(dir, 'block.cjs'),
        `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@opentelemetry/api' || request.startsWith('@opentelemetry/api/')) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`,
      );
      const src = join(repositoryRoot, 'src');
      writeFileSync(
        join(dir, 'check.ts'),
        `import { createRequire } from 'node:module';
import * as warren from ${JSON.stringify(join(src, 'index.ts'))};
import { otelApi } from ${JSON.stringify(join(src, 'tracing', 'otel-api.ts'))};
import { startProcessTrace, startPublishTrace } from ${JSON.stringify(join(src, 'tracing', 'job-spans.ts'))};
let resolvable = true;
try { createRequire(${JSON.stringify(join(src, 'index.ts'))}).resolve('@opentelemetry/api'); } catch { resolvable = false; }
const envelope = { job_class: 'J', job_id: 'id', queue_name: 'q', executions: 0 } as never;
const message = { content: Buffer.alloc(0), fields: { exchange: '', routingKey: 'q', deliveryTag: 1, redelivered: false }, properties: { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } } };
console.log(JSON.stringify({
  loaded: typeof warren.AmqpAdapter === 'function' && typeof warren.Worker === 'function',
  resolvable,
  api: otelApi() === undefined ? 'absent' : 'present',
  publish: startPublishTrace(envelope, 0) === undefined,
  process: startProcessTrace('q', message) === undefined,
}));
`,
      );
      const { stdout } = await run(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), [join(dir, 'check.ts')], {
        cwd: repositoryRoot,
        env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(dir, 'block.cjs')}`.trim() },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ loaded: true, resolvable: false, api: 'absent', publish: true, process: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spans and headers, with an in-memory SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    useOtelApi(undefined);
  });

  afterAll(async () => {
    trace.disable();
    propagation.disable();
    context.disable();
    await provider.shutdown();
    useOtelApi(undefined);
  });

  afterEach(() => exporter.reset());

  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('is active once a provider is registered', () => {
    expect(tracingActive(otelApi()!)).toBe(true);
  });

  it('a publish injects the producer span as traceparent and ends it when the publish settles, with an error status on failure', async () => {
    const published = startPublishTrace(envelope, 1_500.4)!;
    published.route('warren', 'mail');
    const [, traceId, spanId, flags] = published.headers!.traceparent!.split('-');
    expect(flags).toBe('01');
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await published.settle(Promise.resolve('ok'));
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext()).toMatchObject({ traceId, spanId });
    expect(span!.name).toBe('publish mail');
    expect(span!.attributes).toMatchObject({
      'messaging.destination.name': 'warren',
      'messaging.rabbitmq.destination.routing_key': 'mail',
      'warren.job.delay_ms': 1_500,
      'warren.job.executions': 2,
    });

    const refused = startPublishTrace(envelope, 0)!;
    await expect(refused.settle(Promise.reject(new Error('nacked')))).rejects.toThrow('nacked');
    const failed = exporter.getFinishedSpans()[1]!;
    expect(failed.status).toMatchObject({ code: 2, message: 'nacked' });
    expect(failed.attributes['warren.job.delay_ms']).toBeUndefined();
  });

  it('a delivery is the child of its traceparent (a string or bytes), runs in the span context and ends once', () => {
    for (const header of [traceparent, Buffer.from(traceparent)]) {
      const processed = startProcessTrace('mail', received({ traceparent: header, tracestate: 'vendor=1' }, { redelivered: true }))!;
      processed.job(envelope);
      let inside: Context | undefined;
      processed.run(() => {
        inside = context.active();
      });
      processed.end('performed', 'ack');
      processed.end('failed', 'dead-letter', new Error('twice')); // ignored: ended once
      const spans = exporter.getFinishedSpans();
      const span = spans[spans.length - 1]!;
      expect(trace.getSpan(inside!)?.spanContext().spanId).toBe(span.spanContext().spanId);
      expect(span.parentSpanContext).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', isRemote: true });
      expect(span.spanContext().traceState?.get('vendor')).toBe('1');
      expect(span.attributes).toMatchObject({
        'warren.job.executions': 3,
        'warren.job.outcome': 'performed',
        'warren.delivery.verdict': 'ack',
        'warren.delivery.redelivered': true,
        'messaging.rabbitmq.message.delivery_tag': 7,
        'messaging.message.body.size': 2,
      });
      expect(span.status.code).toBe(0);
    }
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });

  it('malformed or hostile trace headers count as absent: a root span', () => {
    const hostile = JSON.parse(`{"__proto__": {"traceparent": "${traceparent}"}}`) as Record<string, unknown>;
    for (const headers of [undefined, null, 'text', { traceparent: 'garbage' }, { traceparent: 42 }, { traceparent: ['x'] }, hostile]) {
      const processed = startProcessTrace('mail', received(headers))!;
      processed.end('performed', 'ack');
    }
    for (const span of exporter.getFinishedSpans()) expect(span.parentSpanContext).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(7);
  });

  it('a propagator that throws is a message without trace context; a failing context manager still runs the job', () => {
    const throwing = {
      inject() {},
      extract(): Context {
        throw new Error('broken propagator');
      },
      fields: () => ['traceparent'],
    };
    propagation.disable();
    propagation.setGlobalPropagator(throwing);
    try {
      const processed = startProcessTrace('mail', received({ traceparent }))!;
      processed.end('performed', 'ack');
      expect(exporter.getFinishedSpans()[0]!.parentSpanContext).toBeUndefined();
    } finally {
      propagation.disable();
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
    const api = otelApi()!;
    const broken: OtelApi = {
      ...api,
      context: {
        ...api.context,
        with: () => {
          throw new Error('broken context manager');
        },
      } as unknown as OtelApi['context'],
    };
    useOtelApi(broken);
    try {
      let performed = 0;
      startProcessTrace('mail', received(undefined))!.run(() => {
        performed += 1;
      });
      expect(performed).toBe(1);
    } finally {
      useOtelApi(undefined);
    }
  });

  it('records a failure with its error type, a redacted exception and an error status', () => {
    const processed = startProcessTrace('mail', received(undefined))!;
    class PaymentError extends Error {}
    processed.end('failed', 'dead-letter', new PaymentError('declined at amqps://app:s3cret@rabbit'));
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toMatchObject({ code: 2, message: 'declined at amqps://app:***@rabbit' });
    expect(span!.attributes['error.type']).toBe('PaymentError');
    const exception = span!.events.find((event) => event.name === 'exception')!;
    expect(JSON.stringify(exception.attributes)).not.toContain('s3cret');
  });
});
