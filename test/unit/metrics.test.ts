// WarrenMetrics on fake event sources: what each event counts, when prom-client sees it, and
// what keeps the labels bounded. The broker-backed run is test/integration/metrics.test.ts.
import { execFileSync } from 'node:child_process';
import { type OpenMetricsContentType, Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  type AmqpAdapter,
  ConfigurationError,
  type DeliveryInfo,
  type MetricsRegistry,
  type ObservedAdapter,
  type ObservedWorker,
  WarrenMetrics,
  type Worker,
  type WorkerEvents,
} from '../../src/index.js';
import type { AmqpAdapterEvents } from '../../src/adapters/amqp/amqp-adapter.js';
import { loadPromClient } from '../../src/metrics/prom-client.js';
import { TypedEmitter } from '../../src/support/typed-emitter.js';
import { repositoryRoot } from '../support/paths.js';

function fakeWorker(inFlightCount = 0): ObservedWorker & { events: TypedEmitter<WorkerEvents>; inFlightCount: number } {
  return { events: new TypedEmitter<WorkerEvents>(), inFlightCount };
}

function delivery(jobClass: string | undefined, queue = 'mailers'): DeliveryInfo {
  return { queue, messageId: 'm-1', jobClass, jobId: jobClass ? 'j-1' : undefined, redelivered: false };
}

/** The value of the sample line `name{labels}` (labels as written by prom-client, in order), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const MAIL = 'job_class="MailJob",queue="mailers"';

describe('WarrenMetrics', () => {
  it('counts outcomes per job class and queue, and a pair starts every counter at 0', async () => {
    const metrics = new WarrenMetrics();
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    const mail = delivery('MailJob');
    worker.events.emit('job:complete', { ...mail, outcome: 'performed', durationMs: 12 });
    worker.events.emit('job:complete', { ...mail, outcome: 'performed', durationMs: 30 });
    worker.events.emit('job:complete', { ...mail, outcome: 'discarded', durationMs: 1 });
    worker.events.emit('job:complete', { ...mail, outcome: 'skipped', durationMs: 0 });
    worker.events.emit('job:retry', { ...mail, durationMs: 4 });
    worker.events.emit('job:error', { ...mail, error: new Error('boom'), reason: 'failed' });
    worker.events.emit('job:dead', { ...mail, error: new Error('boom'), reason: 'failed', deadLetterQueue: 'warren.dead' });
    const text = await metrics.text();
    expect(sample(text, `warren_jobs_performed_total{${MAIL}}`)).toBe(2);
    expect(sample(text, `warren_jobs_discarded_total{${MAIL}}`)).toBe(1);
    expect(sample(text, `warren_jobs_skipped_total{${MAIL}}`)).toBe(1);
    expect(sample(text, `warren_jobs_retried_total{${MAIL}}`)).toBe(1);
    expect(sample(text, `warren_jobs_enqueued_total{${MAIL}}`)).toBe(0);
    expect(sample(text, `warren_jobs_failed_total{${MAIL},reason="failed"}`)).toBe(1);
    expect(sample(text, `warren_jobs_dead_lettered_total{${MAIL},reason="failed"}`)).toBe(1);
    expect(text).toContain('# TYPE warren_jobs_performed_total counter');
    expect(text).toContain('# TYPE warren_job_duration_seconds histogram');
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('hands each counter only what happened since the last scrape, so scrapes never double count', async () => {
    const metrics = new WarrenMetrics();
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    const performed = (): void => worker.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    performed();
    expect(sample(await metrics.text(), `warren_jobs_performed_total{${MAIL}}`)).toBe(1);
    expect(sample(await metrics.text(), `warren_jobs_performed_total{${MAIL}}`)).toBe(1);
    performed();
    performed();
    expect(sample(await metrics.text(), `warren_jobs_performed_total{${MAIL}}`)).toBe(3);
  });

  it('observes durations and queue latencies in seconds into cumulative buckets; a latency is never negative, and skipped without enqueued_at', async () => {
    const metrics = new WarrenMetrics({ durationBuckets: [0.01, 0.1, 1], latencyBuckets: [1, 60] });
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    const mail = delivery('MailJob');
    worker.events.emit('job:complete', { ...mail, outcome: 'performed', durationMs: 5 });
    worker.events.emit('job:retry', { ...mail, durationMs: 50 });
    worker.events.emit('job:complete', { ...mail, outcome: 'performed', durationMs: 5_000 });
    worker.events.emit('job:start', { ...mail, executions: 1, enqueuedAt: Date.now() - 30_000 });
    // A producer whose clock runs ahead: counted as no wait at all, not as a negative one.
    worker.events.emit('job:start', { ...mail, executions: 1, enqueuedAt: Date.now() + 60_000 });
    worker.events.emit('job:start', { ...mail, executions: 1, enqueuedAt: undefined });
    const text = await metrics.text();
    expect(sample(text, `warren_job_duration_seconds_bucket{${MAIL},le="0.01"}`)).toBe(1);
    expect(sample(text, `warren_job_duration_seconds_bucket{${MAIL},le="0.1"}`)).toBe(2);
    expect(sample(text, `warren_job_duration_seconds_bucket{${MAIL},le="1"}`)).toBe(2);
    expect(sample(text, `warren_job_duration_seconds_bucket{${MAIL},le="+Inf"}`)).toBe(3);
    expect(sample(text, `warren_job_duration_seconds_sum{${MAIL}}`)).toBeCloseTo(5.055, 6);
    expect(sample(text, `warren_job_duration_seconds_count{${MAIL}}`)).toBe(3);
    expect(sample(text, `warren_job_queue_latency_seconds_bucket{${MAIL},le="1"}`)).toBe(1);
    expect(sample(text, `warren_job_queue_latency_seconds_bucket{${MAIL},le="60"}`)).toBe(2);
    expect(sample(text, `warren_job_queue_latency_seconds_count{${MAIL}}`)).toBe(2);
    const latencySum = sample(text, `warren_job_queue_latency_seconds_sum{${MAIL}}`) ?? Number.NaN;
    expect(latencySum).toBeGreaterThanOrEqual(30);
    expect(latencySum).toBeLessThan(3_600); // the one ahead counted as 0, not as an hour either way
  });

  it('labels a delivery without a job class "unknown", and counts pairs past maxSeries under "other"', async () => {
    const metrics = new WarrenMetrics({ maxSeries: 2 });
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    worker.events.emit('job:error', { ...delivery(undefined, 'inbox'), error: new Error('not json'), reason: 'undecodable' });
    for (const name of ['AJob', 'BJob', 'CJob', 'DJob'])
      worker.events.emit('job:complete', { ...delivery(name, 'inbox'), outcome: 'performed', durationMs: 1 });
    const text = await metrics.text();
    expect(sample(text, 'warren_jobs_failed_total{job_class="unknown",queue="inbox",reason="undecodable"}')).toBe(1);
    expect(sample(text, 'warren_jobs_performed_total{job_class="AJob",queue="inbox"}')).toBe(1);
    expect(sample(text, 'warren_jobs_performed_total{job_class="other",queue="other"}')).toBe(3);
    expect(text).not.toContain('BJob');
    expect(text.split('\n').filter((line) => line.startsWith('warren_jobs_performed_total{'))).toHaveLength(3);
  });

  it('sums the in-flight counts of the observed workers at each scrape, and forgets a detached one', async () => {
    const metrics = new WarrenMetrics();
    const one = fakeWorker(3);
    const two = fakeWorker(4);
    metrics.observeWorker(one);
    const detachTwo = metrics.observeWorker(two);
    expect(sample(await metrics.text(), 'warren_jobs_in_flight')).toBe(7);
    one.inFlightCount = 1;
    detachTwo();
    detachTwo(); // a second call does nothing
    expect(sample(await metrics.text(), 'warren_jobs_in_flight')).toBe(1);
    two.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    expect(sample(await metrics.text(), `warren_jobs_performed_total{${MAIL}}`)).toBeUndefined();
  });

  it('shows each connection role up after connect and down after a disconnect or failure; down when any observed one is', async () => {
    const metrics = new WarrenMetrics();
    const one = fakeWorker();
    const two = fakeWorker();
    metrics.observeWorker(one);
    metrics.observeWorker(two);
    expect(await metrics.text()).not.toContain('warren_connection_up{');
    one.events.emit('connection:connect', { role: 'consume', endpoint: 'amqp://127.0.0.1' });
    one.events.emit('connection:connect', { role: 'publish', endpoint: 'amqp://127.0.0.1' });
    expect(sample(await metrics.text(), 'warren_connection_up{role="consume"}')).toBe(1);
    two.events.emit('connection:connect', { role: 'consume', endpoint: 'amqp://127.0.0.1' });
    two.events.emit('connection:disconnect', { role: 'consume', endpoint: 'amqp://127.0.0.1', error: new Error('closed') });
    let text = await metrics.text();
    expect(sample(text, 'warren_connection_up{role="consume"}')).toBe(0);
    expect(sample(text, 'warren_connection_up{role="publish"}')).toBe(1);
    one.events.emit('connection:failed', { role: 'publish', endpoint: 'amqp://127.0.0.1', error: new Error('refused'), retryInMs: 250, permanent: false });
    two.events.emit('connection:connect', { role: 'consume', endpoint: 'amqp://127.0.0.1' });
    text = await metrics.text();
    expect(sample(text, 'warren_connection_up{role="consume"}')).toBe(1);
    expect(sample(text, 'warren_connection_up{role="publish"}')).toBe(0);
    // A stopped worker closed its connections without a disconnect event.
    two.events.emit('worker:stopped', { abandoned: 0 });
    expect(sample(await metrics.text(), 'warren_connection_up{role="consume"}')).toBe(0);
  });

  it("counts an adapter's confirmed enqueues and follows its publishing connection", async () => {
    const metrics = new WarrenMetrics();
    const events = new TypedEmitter<AmqpAdapterEvents>();
    const detach = metrics.observeAdapter({ events });
    events.emit('connection:connect', { role: 'publish', endpoint: 'amqp://127.0.0.1' });
    for (let i = 0; i < 3; i++) events.emit('job:enqueued', { jobClass: 'MailJob', jobId: `j-${i}`, queue: 'mailers', scheduledAt: undefined });
    const text = await metrics.text();
    expect(sample(text, `warren_jobs_enqueued_total{${MAIL}}`)).toBe(3);
    expect(sample(text, `warren_jobs_performed_total{${MAIL}}`)).toBe(0);
    expect(sample(text, 'warren_connection_up{role="publish"}')).toBe(1);
    detach();
    expect(events.has('job:enqueued')).toBe(false); // no listener left: the adapter builds no event payload any more
    expect(await metrics.text()).not.toContain('warren_connection_up{');
  });

  it('refuses to observe one source twice (its jobs would count twice), and observes it again once detached', async () => {
    const metrics = new WarrenMetrics();
    const worker = fakeWorker();
    const detach = metrics.observeWorker(worker);
    expect(() => metrics.observeWorker(worker)).toThrow(ConfigurationError);
    detach();
    const again = metrics.observeWorker(worker);
    detach(); // the first observation's function does not end the second one
    worker.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    expect(sample(await metrics.text(), `warren_jobs_performed_total{${MAIL}}`)).toBe(1);
    again();
    expect(worker.events.has('job:complete')).toBe(false);
  });

  it('registers in the registry it is given, with a prefix, and restarts from zero on registry.resetMetrics()', async () => {
    const registry = new Registry();
    const metrics = new WarrenMetrics({ registry, prefix: 'app_jobs_' });
    expect(metrics.registry).toBe(registry);
    expect(registry.getSingleMetric('app_jobs_jobs_performed_total')).toBeDefined();
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    worker.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    const json = await registry.getMetricsAsJSON();
    const histogram = json.find((metric) => metric.name === 'app_jobs_job_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.values.find((value) => value.labels.le === '+Inf')?.value).toBe(1);
    expect(sample(await registry.metrics(), `app_jobs_jobs_performed_total{${MAIL}}`)).toBe(1);
    registry.resetMetrics();
    worker.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    const text = await registry.metrics();
    expect(sample(text, `app_jobs_jobs_performed_total{${MAIL}}`)).toBe(1);
    expect(sample(text, `app_jobs_job_duration_seconds_count{${MAIL}}`)).toBe(1);
  });

  it('renders OpenMetrics when the registry is set to it (one _total suffix on counters)', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const metrics = new WarrenMetrics({ registry });
    const worker = fakeWorker();
    metrics.observeWorker(worker);
    worker.events.emit('job:complete', { ...delivery('MailJob'), outcome: 'performed', durationMs: 1 });
    const text = await metrics.text();
    expect(metrics.contentType).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(sample(text, `warren_jobs_performed_total{${MAIL}}`)).toBe(1);
    expect(text).toContain('# TYPE warren_jobs_performed counter');
    expect(sample(text, `warren_job_duration_seconds_count{${MAIL}}`)).toBe(1);
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('refuses a registry that has its metrics already, a bad prefix, bad buckets and a bad maxSeries', () => {
    const registry = new Registry();
    new WarrenMetrics({ registry });
    expect(() => new WarrenMetrics({ registry })).toThrow(/already has warren_jobs_enqueued_total.*own prefix/);
    expect(new WarrenMetrics({ registry, prefix: 'second_' }).registry).toBe(registry);
    expect(() => new WarrenMetrics({ prefix: 'warren-' })).toThrow(ConfigurationError);
    expect(() => new WarrenMetrics({ durationBuckets: [] })).toThrow(ConfigurationError);
    expect(() => new WarrenMetrics({ latencyBuckets: [1, 1] })).toThrow(/latencyBuckets/);
    expect(() => new WarrenMetrics({ durationBuckets: [0.1, Number.POSITIVE_INFINITY] })).toThrow(ConfigurationError);
    expect(() => new WarrenMetrics({ maxSeries: 0 })).toThrow(ConfigurationError);
  });

  it("uses a registry of its own by default, never prom-client's global one", () => {
    const metrics = new WarrenMetrics();
    expect(metrics.registry).not.toBe(globalRegistry);
    expect(globalRegistry.getSingleMetric('warren_jobs_performed_total')).toBeUndefined();
  });

  it("accepts a Worker, an AmqpAdapter and prom-client's Registry as they are (compile-time check)", () => {
    const asWorker = (worker: Worker): ObservedWorker => worker;
    const asAdapter = (adapter: AmqpAdapter): ObservedAdapter => adapter;
    const asRegistry = (registry: Registry): MetricsRegistry => registry;
    expect([asWorker, asAdapter, asRegistry].every((f) => typeof f === 'function')).toBe(true);
  });
});

describe('loading prom-client', () => {
  it('says to install prom-client when it is missing, and only then', () => {
    const missing = (id: string): never => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => loadPromClient(missing)).toThrow(ConfigurationError);
    expect(() => loadPromClient(missing)).toThrow(/install prom-client/);
    // A module prom-client itself needs, missing: that error, not advice to install prom-client.
    const brokenInstall = (): never => {
      throw Object.assign(new Error("Cannot find module 'tdigest'"), { code: 'MODULE_NOT_FOUND' });
    };
    expect(() => loadPromClient(brokenInstall)).toThrow("Cannot find module 'tdigest'");
    expect(typeof loadPromClient().Registry).toBe('function');
  });

  it('leaves warren working in a process where prom-client cannot be found, until metrics are asked for', () => {
    // Node's CommonJS resolver (what loads prom-client) made blind to it, as in an application that did not install it.
    const hide =
      "data:text/javascript,import Module from 'node:module'; const resolve = Module._resolveFilename; " +
      "Module._resolveFilename = function (request, ...rest) { if (request === 'prom-client') throw Object.assign(new Error(\"Cannot find module 'prom-client'\"), { code: 'MODULE_NOT_FOUND' }); return resolve.call(this, request, ...rest); };";
    const script = `
      const warren = await import('./src/index.ts');
      const worker = new warren.Worker({ registry: new warren.JobRegistry(), queues: ['q'], handleSignals: false });
      let error;
      try { new warren.WarrenMetrics(); } catch (caught) { error = caught; }
      console.log(JSON.stringify({ worker: worker.queues, error: error?.name, message: error?.message }));`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--import', hide, '--input-type=module', '-e', script], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { ...process.env, WARREN_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { worker: string[]; error: string; message: string };
    expect(result.worker).toEqual(['q']);
    expect(result.error).toBe('ConfigurationError');
    expect(result.message).toContain('install prom-client');
  });
});
