// README.md's "Tracing (OpenTelemetry)", against the broker at AMQP_URL (run it in a virtual host of its own):
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/scratch npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/tracing.ts
// Spans go to an in-memory exporter here, checked at the end; an application exports them to its collector.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { AmqpAdapter, Job, JobRegistry, Worker, configure } from 'warren';

const reports: number[] = [];
class ReportJob extends Job {
  static override jobName = 'ReportJob';
  static {
    this.queueAs('reports');
  }
  async perform(id: number) {
    reports.push(id);
  }
}
const registry = new JobRegistry().register(ReportJob);
const adapter = new AmqpAdapter();
configure({ adapter });
const exporter = new InMemorySpanExporter();

// README:begin
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

// At start-up, before warren enqueues or performs anything (@opentelemetry/sdk-node's NodeSDK does all three):
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

// Nothing to configure in warren. A job enqueued inside a span gets a "publish reports" span, its child,
// sent along as the message's traceparent header...
await trace.getTracer('shop').startActiveSpan('POST /reports', async (span) => {
  await ReportJob.performLater(42);
  span.end();
});

// ...and the worker's "process reports" span continues that trace (so does each retry the job makes).
const worker = new Worker({ registry, queues: ['reports'] });
await worker.start();
// README:end

const deadline = Date.now() + 20_000;
while (!exporter.getFinishedSpans().some((span) => span.name === 'process reports')) {
  if (Date.now() > deadline) throw new Error('no "process reports" span within 20 s');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await provider.forceFlush();
}
await worker.stop();
await adapter.close();
const spans = exporter.getFinishedSpans();
const byName = (name: string) => spans.find((span) => span.name === name)!;
const [request, publish, processed] = [byName('POST /reports'), byName('publish reports'), byName('process reports')];
if (publish.parentSpanContext?.spanId !== request.spanContext().spanId) throw new Error('publish is not the child of the request');
if (processed.parentSpanContext?.spanId !== publish.spanContext().spanId) throw new Error('process is not the child of publish');
if (new Set(spans.map((span) => span.spanContext().traceId)).size !== 1) throw new Error('more than one trace');
await provider.shutdown();
console.log(`tracing ok: ${reports.join(',')} in trace ${request.spanContext().traceId}`);
