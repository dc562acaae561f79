import { inspect, type InspectOptionsStylized } from 'node:util';
import type { QueueAdapter } from '../adapters/adapter.js';
import { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import type { AmqpAdapterOptions } from '../adapters/amqp/amqp-adapter-options.js';
import type { AmqpConnectionOptions } from '../amqp/connection.js';
import { inspectRedacted } from '../support/redact.js';
import { DEFAULTS } from '../config/defaults.js';
import type { SetOptions } from '../job/set-options.js';
import { ConfigurationError, SerializationError, UnknownJobError } from '../errors.js';
import { JobRegistry } from '../job/registry.js';
import { defaultTopology, type Topology } from '../topology/index.js';
import type { WorkerOptions } from '../worker/worker-options.js';
import { Worker } from '../worker/worker.js';
import type { EnqueuedHandlerJob, Handler, HandlerArgs, HandlerJob as HandlerJobSpec, HandlerOptions } from './handler.js';
import { defineHandlerJob, isPlainArgs, type HandlerJobClass } from './handler-job.js';

export interface HandlerWorkerOptions
  extends AmqpConnectionOptions,
    Pick<
      WorkerOptions,
      'shutdownTimeoutMs' | 'deadLetterQueue' | 'deadLetterRetryDelayMs' | 'maxMessageBytes' | 'handleSignals' | 'presence' | 'schedules' | 'schedulerGroup'
    >,
    Pick<AmqpAdapterOptions, 'encoding' | 'publishTimeoutMs' | 'delays'> {
  /**
   * Queues `start()` consumes. Default: the queues of the registered handlers (each
   * handler's `queue` option, else DEFAULTS.queueName, prefix applied), as registered when
   * `start()` runs.
   */
  queues?: readonly string[];
  /** Handler jobs performed at once per queue (the broker prefetch). Default: DEFAULTS.amqp.concurrency. */
  concurrency?: number;
  /**
   * Where handler jobs are enqueued. Default: an AmqpAdapter with this worker's connection
   * options, closed by `stop()`. Another AmqpAdapter is used as it is (and not closed).
   * An in-process adapter (AsyncAdapter, InlineAdapter, TestAdapter) performs the jobs
   * itself, with the registry it was given: then `start()` and `stop()` have nothing to
   * consume, and the adapter is not closed.
   */
  adapter?: QueueAdapter;
  /**
   * The registry handlers are added to. Default: a new one. Pass the application's registry
   * to keep job classes and handlers in one name space (and one worker), or the registry an
   * in-process adapter was built with.
   */
  registry?: JobRegistry;
  /** Exchanges, queues and routes (see loadTopology). Default: defaultTopology(). */
  topology?: Topology;
}

/**
 * Buffalo's worker interface over warren (`Register`, `Perform`, `PerformIn`, `PerformAt`,
 * `Start`, `Stop`), for services that think in handler names instead of job classes:
 *
 * ```ts
 * const worker = new HandlerWorker({ url: process.env.AMQP_URL });
 * worker.register('send_email', async ({ user_id }, ctx) => mailer.send(user_id), { queue: 'mailers' });
 * await worker.start();                                   // consume the handlers' queues
 * await worker.perform({ handler: 'send_email', args: { user_id: 123 } });
 * await worker.performIn({ handler: 'send_email', args: { user_id: 123 } }, 5_000);
 * await worker.stop();
 * ```
 *
 * A handler job is an ordinary envelope (job_class = the handler name, one argument = the
 * args hash), so producers in any language can enqueue one (see schemas/README.md), and
 * it gets warren's argument types, locale, retries and dead letters. A process that only
 * enqueues never calls `start()`.
 */
export class HandlerWorker {
  /** What console.log and JSON.stringify show: never the URL's password, TLS secrets or client internals. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectRedacted(this.constructor.name, this.toJSON(), depth, options, inspectValue);
  }

  toJSON(): Record<string, unknown> {
    return { handlers: [...this.handlers.keys()], started: this.started, worker: this.consumer?.toJSON() };
  }
  /** The registry the handlers are in (shared with job classes when one was given). */
  readonly registry: JobRegistry;
  /** Where handler jobs are enqueued. */
  readonly adapter: QueueAdapter;
  private readonly ownsAdapter: boolean;
  private readonly topology: Topology;
  private readonly handlers = new Map<string, HandlerJobClass>();
  private consumer: Worker | undefined;
  private started = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: HandlerWorkerOptions = {}) {
    this.registry = options.registry ?? new JobRegistry();
    this.topology = options.topology ?? defaultTopology();
    this.ownsAdapter = options.adapter === undefined;
    this.adapter = options.adapter ?? new AmqpAdapter({ ...options, topology: this.topology });
  }

  /**
   * Register `handler` under `name`. RegistrationError when the name is taken (by a handler
   * or a job class in the same registry), or is not a non-empty string of at most 255 bytes.
   */
  register<A extends HandlerArgs = HandlerArgs>(name: string, handler: Handler<A>, options: HandlerOptions = {}): this {
    const jobClass = defineHandlerJob(name, handler as Handler, options, this.adapter);
    this.registry.registerHandler(name, jobClass);
    this.handlers.set(name, jobClass);
    return this;
  }

  /** Enqueue a job to run as soon as possible. */
  perform<A extends HandlerArgs>(job: HandlerJobSpec<A>): Promise<EnqueuedHandlerJob> {
    return this.enqueue(job, {});
  }

  /** Enqueue a job to run `delayMs` milliseconds from now (the adapter must support delays). */
  performIn<A extends HandlerArgs>(job: HandlerJobSpec<A>, delayMs: number): Promise<EnqueuedHandlerJob> {
    return this.enqueue(job, { wait: delayMs });
  }

  /** Enqueue a job to run at (or soon after) `at` (the adapter must support delays). */
  performAt<A extends HandlerArgs>(job: HandlerJobSpec<A>, at: Date): Promise<EnqueuedHandlerJob> {
    return this.enqueue(job, { waitUntil: at });
  }

  /** The RabbitMQ worker consuming the handlers' queues, once `start()` ran (for its events). */
  get amqpWorker(): Worker | undefined {
    return this.consumer;
  }

  /**
   * Start consuming (RabbitMQ only): resolves once every queue is subscribed. With an
   * in-process adapter there is nothing to consume. A worker starts once.
   */
  async start(): Promise<void> {
    if (this.started || this.stopped) throw new ConfigurationError('a HandlerWorker can be started once');
    this.started = true;
    if (!(this.adapter instanceof AmqpAdapter)) return;
    const { adapter: _adapter, registry: _registry, queues: _queues, ...connection } = this.options;
    this.consumer = new Worker({
      ...connection,
      registry: this.registry,
      queues: this.consumedQueues(),
      topology: this.topology,
      adapter: this.adapter,
    });
    await this.consumer.start();
  }

  /**
   * Graceful stop: the consumer stops taking jobs and lets running ones finish (see
   * Worker#stop), then the adapter this worker created is closed. Safe to call twice.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.consumer?.stop();
      if (this.ownsAdapter) await this.adapter.close();
    })();
    return this.stopped;
  }

  private consumedQueues(): string[] {
    if (this.options.queues?.length) return [...this.options.queues];
    const queues = new Set<string>();
    for (const name of this.handlers.keys()) queues.add(this.registry.describe(name).queueName ?? DEFAULTS.queueName);
    return queues.size > 0 ? [...queues] : [DEFAULTS.queueName];
  }

  private async enqueue(spec: HandlerJobSpec, timing: SetOptions): Promise<EnqueuedHandlerJob> {
    if (typeof spec !== 'object' || spec === null) throw new ConfigurationError('perform expects a job: { handler, args, queue }');
    const jobClass = this.handlers.get(spec.handler);
    if (!jobClass) throw unknownHandler(spec.handler);
    const args = spec.args ?? {};
    if (!isPlainArgs(args)) {
      throw new SerializationError(`the args of handler "${spec.handler}" must be a plain object of named arguments (Buffalo's Args)`);
    }
    const options: SetOptions = { ...timing };
    if (spec.queue !== undefined) options.queue = spec.queue;
    if (spec.priority !== undefined) options.priority = spec.priority;
    const job = await jobClass.set(options).performLater(args);
    return {
      handler: spec.handler,
      jobId: job.jobId,
      queue: job.queueName,
      priority: job.priority,
      scheduledAt: job.scheduledAt,
    };
  }
}

function unknownHandler(name: unknown): UnknownJobError {
  const error = new UnknownJobError(String(name));
  error.message = `unknown handler ${JSON.stringify(name) ?? String(name)}: register it with worker.register(name, handler) before performing it`;
  return error;
}
