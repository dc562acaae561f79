import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionEvents } from '../amqp/connection.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import type { EventMap } from '../support/typed-emitter.js';
import { checkBounds } from './buckets.js';
import { ConnectionStates } from './connection-states.js';
import { HistogramMetric } from './histogram-metric.js';
import { COUNT, type CountKind, SeriesTable } from './job-series.js';
import { metricsHandler, serveMetrics, type MetricsServer, type ServeMetricsOptions } from './metrics-http.js';
import type { Listenable, ObservedAdapter, ObservedWorker } from './observed.js';
import { loadPromClient, type MetricsRegistry, type PromClient, type PromCounter, type PromGauge } from './prom-client.js';

export interface WarrenMetricsOptions<R extends MetricsRegistry = MetricsRegistry> {
  /**
   * Where the metrics are registered. Default: a new prom-client Registry of their own (not
   * prom-client's global `register`: pass it here to serve warren's metrics with the rest).
   */
  registry?: R;
  /** Prepended to every name. Default: DEFAULTS.metrics.prefix (`warren_`). */
  prefix?: string;
  /** Bounds of warren_job_duration_seconds, in seconds. Default: DEFAULTS.metrics.durationBuckets. */
  durationBuckets?: readonly number[];
  /** Bounds of warren_job_queue_latency_seconds, in seconds. Default: DEFAULTS.metrics.latencyBuckets. */
  latencyBuckets?: readonly number[];
  /** (job_class, queue) pairs kept apart before new ones count as `other`. Default: DEFAULTS.metrics.maxSeries. */
  maxSeries?: number;
}

/** The counters of one COUNT kind, with their names and help. */
const PER_JOB_COUNTERS: readonly [CountKind, string, string][] = [
  ['enqueued', 'jobs_enqueued_total', 'Jobs the broker confirmed (AmqpAdapter job:enqueued).'],
  ['performed', 'jobs_performed_total', 'Jobs whose perform returned.'],
  ['discarded', 'jobs_discarded_total', "Jobs a discardOn rule (or retryOn's give-up handler) dropped."],
  ['skipped', 'jobs_skipped_total', 'Jobs a callback halted before perform ran.'],
  ['retried', 'jobs_retried_total', 'Failed executions a retry rule enqueued again.'],
];

const OUTCOME_COUNT = Object.freeze({ performed: COUNT.performed, discarded: COUNT.discarded, skipped: COUNT.skipped });

/** Subscribes a listener to one event of an observed source. */
type On<Events extends EventMap> = <E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void) => void;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Prometheus metrics of warren's workers and AMQP adapters, through prom-client (an optional
 * peer dependency, loaded here: the constructor throws a ConfigurationError when it is not
 * installed). They come from the events: `observeWorker(worker)` and `observeAdapter(adapter)`
 * subscribe (best before `start()`), and return the function that unsubscribes.
 *
 * Counters (`_total`) and histograms (seconds) are labelled by job_class and queue; a job's
 * events only add to plain numbers (job-series.ts), and prom-client reads them when scraped:
 * the listeners cost about 0.13 µs per job, 0.4-1.3 µs with the event payloads the worker
 * builds once someone listens (bench/README.md, "Monitoring cost").
 */
export class WarrenMetrics<R extends MetricsRegistry = MetricsRegistry> {
  readonly registry: R;
  private readonly table: SeriesTable;
  private readonly failed: PromCounter;
  private readonly dead: PromCounter;
  private readonly workers = new Set<ObservedWorker>();
  private readonly connections = new ConnectionStates();
  /** The listener removers of each observed worker and adapter. */
  private readonly observed = new Map<object, (() => void)[]>();

  constructor(options: WarrenMetricsOptions<R> = {}) {
    const client = loadPromClient();
    const prefix = options.prefix ?? DEFAULTS.metrics.prefix;
    if (prefix !== '' && !NAME.test(prefix))
      throw new ConfigurationError(`the metrics prefix must be a valid Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), not ${JSON.stringify(prefix)}`);
    const maxSeries = options.maxSeries ?? DEFAULTS.metrics.maxSeries;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) throw new ConfigurationError(`maxSeries must be a positive integer, not ${String(options.maxSeries)}`);
    this.table = new SeriesTable({
      durationBuckets: checkBounds('durationBuckets', options.durationBuckets ?? DEFAULTS.metrics.durationBuckets),
      latencyBuckets: checkBounds('latencyBuckets', options.latencyBuckets ?? DEFAULTS.metrics.latencyBuckets),
      maxSeries,
      unknownJobClass: DEFAULTS.metrics.unknownJobClass,
      overflowLabel: DEFAULTS.metrics.overflowLabel,
    });
    this.registry = options.registry ?? (new client.Registry() as R);
    const names = [
      ...PER_JOB_COUNTERS.map(([, name]) => name),
      'jobs_failed_total',
      'jobs_dead_lettered_total',
      'job_duration_seconds',
      'job_queue_latency_seconds',
      'jobs_in_flight',
      'connection_up',
    ].map((name) => `${prefix}${name}`);
    const taken = names.filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length) {
      throw new ConfigurationError(`the registry already has ${taken.join(', ')}: one WarrenMetrics per registry, or give each its own prefix`);
    }
    this.createPerJobCounters(client, prefix);
    const registers = [this.registry];
    const labelNames = ['job_class', 'queue', 'reason'];
    this.failed = new client.Counter({
      name: `${prefix}jobs_failed_total`,
      help: 'Deliveries that failed for good (job:error), by dead-letter reason.',
      labelNames,
      registers,
    });
    this.dead = new client.Counter({
      name: `${prefix}jobs_dead_lettered_total`,
      help: 'Messages in the dead-letter queue (publish confirmed), by reason.',
      labelNames,
      registers,
    });
    this.registry.registerMetric(
      new HistogramMetric(`${prefix}job_duration_seconds`, 'Perform time of completed and retried jobs, callbacks included.', this.table, (s) => s.duration),
    );
    this.registry.registerMetric(
      new HistogramMetric(
        `${prefix}job_queue_latency_seconds`,
        'From enqueued_at to the start of perform (a delayed job: its delay included).',
        this.table,
        (s) => s.latency,
      ),
    );
    const inFlight: PromGauge = new client.Gauge({
      name: `${prefix}jobs_in_flight`,
      help: 'Deliveries the observed workers hold (being performed, or held until due).',
      registers,
      collect: () => inFlight.set(this.inFlight()),
    });
    const up: PromGauge = new client.Gauge({
      name: `${prefix}connection_up`,
      help: '1 when every observed RabbitMQ connection of the role is connected, 0 when one is not.',
      labelNames: ['role'],
      registers,
      collect: () => {
        up.reset();
        for (const [role, value] of this.connections.byRole()) up.set({ role }, value);
      },
    });
  }

  /** The content type of `text()` (what a scrape response carries). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Everything in the registry, in the exposition format (warren's metrics, and any other the registry holds). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** A `(request, response)` handler serving `text()`, to mount on a route of the application's own HTTP server. */
  handler(): (request: IncomingMessage, response: ServerResponse) => void {
    return metricsHandler(this.registry);
  }

  /** Serves `text()` on a small HTTP server of its own: GET /metrics on `host` (default loopback) and `port`. */
  serve(options: ServeMetricsOptions): Promise<MetricsServer> {
    return serveMetrics(this.registry, options);
  }

  /** Counts the worker's jobs, and reads its in-flight count and connection at each scrape. Returns the function that stops. */
  observeWorker(worker: ObservedWorker): () => void {
    const table = this.table;
    const on = this.listener(worker, worker.events);
    on('job:start', ({ queue, jobClass, enqueuedAt }) => {
      if (enqueuedAt !== undefined) table.get(queue, jobClass).latency.observe(Math.max(0, Date.now() - enqueuedAt) / 1000);
    });
    on('job:complete', ({ queue, jobClass, outcome, durationMs }) => {
      const series = table.get(queue, jobClass);
      const index = OUTCOME_COUNT[outcome];
      series.counts[index] = (series.counts[index] ?? 0) + 1;
      series.duration.observe(durationMs / 1000);
    });
    on('job:retry', ({ queue, jobClass, durationMs }) => {
      const series = table.get(queue, jobClass);
      series.counts[COUNT.retried] = (series.counts[COUNT.retried] ?? 0) + 1;
      series.duration.observe(durationMs / 1000);
    });
    on('job:error', ({ queue, jobClass, reason }) => this.failed.inc({ ...table.get(queue, jobClass).labels, reason }));
    on('job:dead', ({ queue, jobClass, reason }) => this.dead.inc({ ...table.get(queue, jobClass).labels, reason }));
    this.followConnections(worker, on);
    on('worker:stopped', () => this.connections.allDown(worker));
    this.workers.add(worker);
    return this.detacher(worker);
  }

  /** Counts the adapter's confirmed enqueues, and follows its publishing connection. Returns the function that stops. */
  observeAdapter(adapter: ObservedAdapter): () => void {
    const table = this.table;
    const on = this.listener(adapter, adapter.events);
    on('job:enqueued', ({ queue, jobClass }) => {
      const series = table.get(queue, jobClass);
      series.counts[COUNT.enqueued] = (series.counts[COUNT.enqueued] ?? 0) + 1;
    });
    this.followConnections(adapter, on);
    return this.detacher(adapter);
  }

  private createPerJobCounters(client: PromClient, prefix: string): void {
    for (const [kind, name, help] of PER_JOB_COUNTERS) {
      const index = COUNT[kind];
      const counter: PromCounter = new client.Counter({
        name: `${prefix}${name}`,
        help,
        labelNames: ['job_class', 'queue'],
        registers: [this.registry],
        // At each scrape: the counts since the last one. A pair's counters all start at 0 when it first appears.
        collect: () => {
          for (const series of this.table.series) {
            const count = series.counts[index] ?? 0;
            const delta = count - (series.flushed[index] ?? 0);
            let child = series.children[index];
            if (child !== undefined && delta === 0) continue;
            child ??= series.children[index] = counter.labels(series.jobClass, series.queue);
            child.inc(delta);
            series.flushed[index] = count;
          }
        },
      });
    }
  }

  /**
   * An `on` for `source`'s events that remembers each listener, so the detach function
   * removes them all. One source is observed once: its jobs would be counted twice otherwise.
   */
  private listener<Events extends EventMap>(source: object, events: Listenable<Events>): On<Events> {
    if (this.observed.has(source)) throw new ConfigurationError('these metrics already observe this worker or adapter: its jobs would be counted twice');
    const offs: (() => void)[] = [];
    this.observed.set(source, offs);
    return (event, listener) => {
      events.on(event, listener);
      offs.push(() => events.off(event, listener));
    };
  }

  private followConnections<Events extends ConnectionEvents>(source: object, on: On<Events>): void {
    const connections = this.connections;
    on('connection:connect', ({ role }) => connections.set(source, role, true));
    on('connection:disconnect', ({ role }) => connections.set(source, role, false));
    on('connection:failed', ({ role }) => connections.set(source, role, false));
  }

  /** Removes `source`'s listeners and forgets it (its in-flight count, its connections); a second call does nothing. */
  private detacher(source: object): () => void {
    const offs = this.observed.get(source);
    return () => {
      // Detached already (and perhaps observed again since: that observation is not this one's to end).
      if (!offs || this.observed.get(source) !== offs) return;
      for (const off of offs) off();
      this.observed.delete(source);
      this.workers.delete(source as ObservedWorker);
      this.connections.forget(source);
    };
  }

  private inFlight(): number {
    let total = 0;
    for (const worker of this.workers) total += worker.inFlightCount;
    return total;
  }
}
