// OpenTelemetry tracing against the real broker, with the SDK's in-memory exporter: one trace
// covers enqueue -> perform -> the job's retry -> its second perform, the W3C headers travel on
// the message (round the delay ladder, to the dead-letter queue), and a malformed traceparent
// is a message without one.
import { context, propagation, type SpanContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Job, JobRegistry, performAllLater, Worker, type WorkerOptions } from '../../src/index.js';
import { useOtelApi } from '../../src/tracing/otel-api.js';
import { useBrokerScratch } from '../support/broker-scratch.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

class TracedFailure extends Error {}

/** Fails its first execution, retried after 50 ms (through the delay ladder), then performs. */
class TracedRetryJob extends Job {
  static override jobName = 'TracedRetryJob';
  static {
    this.retryOn(TracedFailure, { wait: 50, attempts: 3, jitter: 0 });
  }
  perform(): void {
    if (this.executions === 1) throw new TracedFailure('first execution fails');
  }
}

class TracedFineJob extends Job {
  static override jobName = 'TracedFineJob';
  perform(): void {}
}

class TracedBrokenJob extends Job {
  static override jobName = 'TracedBrokenJob';
  perform(): void {
    throw new Error('broken for good (amqp://user:hunter2@broker)');
  }
}

const registry = new JobRegistry().register(TracedRetryJob, TracedFineJob, TracedBrokenJob);

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  useOtelApi(undefined); // warren looks the API up again on its next job
});

afterAll(async () => {
  trace.disable();
  propagation.disable();
  context.disable();
  await provider.shutdown();
  useOtelApi(undefined);
});

/** The ended spans of one job (by warren.job.id), in the order they ended. */
function spansOf(jobId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.attributes['warren.job.id'] === jobId);
}

function parentOf(span: ReadableSpan): SpanContext | undefined {
  return span.parentSpanContext;
}

describe('OpenTelemetry tracing', () => {
  const scratch = useBrokerScratch(url);
  const workers: Worker[] = [];
  let producer: AmqpAdapter;

  beforeEach(() => {
    producer = scratch.adopt(new AmqpAdapter({ url }));
    configure({ adapter: producer });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  function queue(name: string): string {
    const full = `${scratch.prefix}${name}`;
    scratch.queues.push(full);
    return full;
  }

  async function startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> {
    const worker = new Worker({ url, registry, handleSignals: false, deadLetterQueue: queue('dead'), deadLetterRetryDelayMs: 200, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  }

  it('one trace covers enqueue -> perform 1 -> the retry (through the delay ladder) -> perform 2, each span the child of the one before', async () => {
    const jobs = queue('retry');
    await startWorker({ queues: [jobs] });
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('http request');
    const job = await context.with(trace.setSpan(context.active(), request), () => TracedRetryJob.set({ queue: jobs }).performLater());
    request.end();

    await waitFor(() => spansOf(job.jobId).filter((span) => span.name === `process ${jobs}`).length === 2, 'the two process spans', 30_000);
    const spans = spansOf(job.jobId);
    const publishes = spans.filter((span) => span.name === `publish ${jobs}`);
    const processes = spans.filter((span) => span.name === `process ${jobs}`);
    expect(publishes).toHaveLength(2);
    const first = publishes.find((span) => span.attributes['warren.job.executions'] === 0)!;
    const retry = publishes.find((span) => span.attributes['warren.job.executions'] === 1)!;
    const perform1 = processes.find((span) => span.attributes['warren.job.executions'] === 1)!;
    const perform2 = processes.find((span) => span.attributes['warren.job.executions'] === 2)!;
    for (const span of [first, retry, perform1, perform2]) expect(span, 'each span of the chain').toBeDefined();

    // One trace, from the application's own span down.
    const traceId = request.spanContext().traceId;
    for (const span of spans) expect(span.spanContext().traceId).toBe(traceId);
    expect(parentOf(first)?.spanId).toBe(request.spanContext().spanId);
    expect(parentOf(perform1)?.spanId).toBe(first.spanContext().spanId);
    expect(parentOf(perform1)?.isRemote).toBe(true); // extracted from the message's headers
    expect(parentOf(retry)?.spanId).toBe(perform1.spanContext().spanId);
    expect(parentOf(perform2)?.spanId).toBe(retry.spanContext().spanId);

    // Kinds (SpanKind: PRODUCER 3, CONSUMER 4) and attributes.
    expect([first.kind, retry.kind, perform1.kind, perform2.kind]).toEqual([3, 3, 4, 4]);
    expect(first.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'warren',
      'messaging.rabbitmq.destination.routing_key': jobs,
      'messaging.message.id': job.jobId,
      'warren.queue': jobs,
      'warren.job.class': 'TracedRetryJob',
      'warren.job.id': job.jobId,
    });
    expect(first.attributes['warren.job.delay_ms']).toBeUndefined();
    expect(retry.attributes['warren.job.delay_ms']).toBeGreaterThan(0);
    expect(retry.attributes['warren.job.delay_ms']).toBeLessThanOrEqual(50);
    expect(perform1.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'warren',
      'messaging.rabbitmq.destination.routing_key': jobs,
      'messaging.message.id': job.jobId,
      'warren.queue': jobs,
      'warren.job.class': 'TracedRetryJob',
      'warren.job.outcome': 'retried',
      'warren.delivery.verdict': 'ack',
    });
    expect(typeof perform1.attributes['messaging.rabbitmq.message.delivery_tag']).toBe('number');
    expect(perform2.attributes).toMatchObject({ 'warren.job.outcome': 'performed', 'warren.delivery.verdict': 'ack' });
    // The retry came round the delay ladder: the worker forwarded it into the queue by the default exchange.
    expect(perform2.attributes['messaging.rabbitmq.destination.routing_key']).toBe(jobs);
    for (const span of [first, retry, perform1, perform2]) expect(span.status.code).toBe(0); // UNSET
    // The consumer span ends once the verdict is known, after the retry was confirmed.
    expect(retry.endTime[0] * 1e9 + retry.endTime[1]).toBeLessThanOrEqual(perform1.endTime[0] * 1e9 + perform1.endTime[1]);
  });

  it('sends W3C traceparent and tracestate headers carrying the publish span', async () => {
    const jobs = queue('headers'); // declared and bound by the adapter on first use; no worker takes the job
    // Enqueued while handling a request that came with trace context (its tracestate carries on).
    const upstream = propagation.extract(context.active(), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=opaque,other=1',
    });
    const job = await context.with(upstream, () => TracedFineJob.set({ queue: jobs }).performLater());
    const message = await scratch.probe.take(jobs);
    const publish = spansOf(job.jobId).find((span) => span.kind === 3);
    const { traceId, spanId } = publish!.spanContext();
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parentOf(publish!)?.spanId).toBe('00f067aa0ba902b7');
    expect(message.properties.headers?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(message.properties.headers?.tracestate).toBe('vendor=opaque,other=1');
    expect(message.properties.headers?.['warren-queue']).toBe(jobs); // warren's own headers still there
  });

  it('traces every job of the bulk path (performAllLater), each a child of the active span', async () => {
    const jobs = queue('bulk');
    await startWorker({ queues: [jobs] });
    const parent = trace.getTracer('test').startSpan('bulk');
    const built = [TracedFineJob.set({ queue: jobs }).build(), TracedFineJob.set({ queue: jobs }).build(), TracedFineJob.set({ queue: jobs }).build()];
    await context.with(trace.setSpan(context.active(), parent), () => performAllLater(built));
    parent.end();
    await waitFor(() => built.every((job) => spansOf(job.jobId).length === 2), 'publish and process spans of each job');
    for (const job of built) {
      const publish = spansOf(job.jobId).find((span) => span.kind === 3)!;
      const processed = spansOf(job.jobId).find((span) => span.kind === 4)!;
      expect(parentOf(publish)?.spanId).toBe(parent.spanContext().spanId);
      expect(parentOf(processed)?.spanId).toBe(publish.spanContext().spanId);
    }
  });

  it('performs a message whose traceparent is malformed, in a trace of its own', async () => {
    const jobs = queue('malformed');
    await startWorker({ queues: [jobs] });
    const ids: string[] = [];
    for (const traceparent of ['garbage', '00-00000000000000000000000000000000-0000000000000000-01', '00-ABC-def-01', '']) {
      const envelope = envelopeFor(jobs, { job_class: 'TracedFineJob' });
      ids.push(envelope.job_id);
      await scratch.probe.publish(jobs, Buffer.from(JSON.stringify(envelope)), {
        messageId: envelope.job_id,
        contentType: 'application/json',
        headers: { traceparent, tracestate: '=,=,bad state' },
      });
    }
    // A traceparent that is not a string (an AMQP table) is malformed too.
    const envelope = envelopeFor(jobs, { job_class: 'TracedFineJob' });
    ids.push(envelope.job_id);
    await scratch.probe.publish(jobs, Buffer.from(JSON.stringify(envelope)), {
      messageId: envelope.job_id,
      contentType: 'application/json',
      headers: { traceparent: { nested: 1 } },
    });
    await waitFor(() => ids.every((id) => spansOf(id).length === 1), 'a process span for each message');
    for (const id of ids) {
      const [span] = spansOf(id);
      expect(parentOf(span!), 'no parent: the malformed header counts as absent').toBeUndefined();
      expect(span!.attributes['warren.job.outcome']).toBe('performed');
    }
  });

  it('marks a dead-lettered job with an error status and its exception (redacted); the dead letter keeps the traceparent', async () => {
    const jobs = queue('broken');
    await startWorker({ queues: [jobs] });
    const job = await TracedBrokenJob.set({ queue: jobs }).performLater();
    await waitFor(() => spansOf(job.jobId).length === 2, 'the process span');
    // The worker may end its span before the producer hears the broker's confirm: picked by kind, not by order.
    const publish = spansOf(job.jobId).find((span) => span.kind === 3);
    const processed = spansOf(job.jobId).find((span) => span.kind === 4);
    expect(processed!.status.code).toBe(2); // ERROR
    expect(processed!.status.message).toContain('broken for good');
    expect(processed!.status.message).not.toContain('hunter2');
    expect(processed!.attributes).toMatchObject({ 'warren.job.outcome': 'failed', 'warren.delivery.verdict': 'dead-letter', 'error.type': 'Error' });
    const exception = processed!.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toContain('amqp://user:***@broker');
    const letter = await scratch.probe.take(`${scratch.prefix}dead`);
    const { traceId, spanId } = publish!.spanContext();
    expect(letter.properties.headers?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('an undecodable message gets an error span too', async () => {
    const jobs = queue('undecodable');
    await startWorker({ queues: [jobs] });
    const messageId = `undecodable-${scratch.prefix}`;
    await scratch.probe.publish(jobs, Buffer.from('{not json'), { messageId, contentType: 'application/json' });
    await waitFor(() => exporter.getFinishedSpans().some((span) => span.attributes['messaging.message.id'] === messageId), 'the span');
    const span = exporter.getFinishedSpans().find((candidate) => candidate.attributes['messaging.message.id'] === messageId)!;
    expect(span.attributes).toMatchObject({ 'warren.job.outcome': 'undecodable', 'warren.delivery.verdict': 'dead-letter' });
    expect(span.status.code).toBe(2);
  });
});
