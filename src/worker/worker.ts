import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { inspect, type InspectOptionsStylized } from 'node:util';
import { setMaxListeners } from 'node:events';
import { componentLogger } from '../config/logger.js';
import type { Logger } from 'pino';
import { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { AmqpConnection, describeAmqpUrls } from '../amqp/connection.js';
import { inspectRedacted } from '../support/redact.js';
import { TopologyDeclarer } from '../amqp/declarer.js';
import { DelayLadder } from '../amqp/delay/ladder.js';
import type { DelayScheduler } from '../amqp/delay/scheduler.js';
import { EnvelopeSigner } from '../amqp/signing.js';
import { TypedEmitter } from '../support/typed-emitter.js';
import { settings } from '../config/configuration.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import { defaultTopology, type Topology } from '../topology/index.js';
import { Consumer } from './consumer.js';
import type { Delivery } from './delivery.js';
import { DeliveryProcessor } from './delivery-processor.js';
import { consumerTimeoutWarnings, validateContinuationOptions } from './consumer-timeout.js';
import { CheckpointQueues } from '../amqp/checkpoint-queues.js';
import { PauseWatcher } from './pause-watcher.js';
import { defaultWorkerQueues, unconsumedJobWarnings } from './default-queues.js';
import { quorumQueueWarnings } from './quorum-warnings.js';
import { DeadLetterPublisher } from './dead-letter-publisher.js';
import type { DueForwarder } from './due-forwarder.js';
import type { WorkerEvents } from './events.js';
import { workerNumbers, type WorkerOptions } from './worker-options.js';
import { DeliverySettlement } from './settlement.js';
import { handleShutdownSignals } from './signals.js';
import { RunningJobs } from './running-jobs.js';
import { continuationSupportFor, dueForwarderFor, flowGateFor, forwardConnectionEvents, refusedConnection } from './worker-parts.js';
import { Scheduler } from './scheduler.js';
import type { WorkerPresence } from '../presence/worker-presence.js';
import { startPresenceLink } from './presence-link.js';
import type { WorkerState } from '../presence/heartbeat.js';

interface Running {
  connection: AmqpConnection;
  consumer: Consumer;
  /** Moves due jobs from the delay ladder's due queue into their queues (none for schedulers without one). */
  forwarder: DueForwarder | undefined;
  adapter: AmqpAdapter;
  ownsAdapter: boolean;
  /** Takes each delivery from its arrival to its settlement. */
  processor: DeliveryProcessor;
  /** Heartbeats and control messages (none with `presence: false`). */
  presence: WorkerPresence | undefined;
  /** Crash checkpoints of continuable jobs, on the publishing connection. */
  checkpoints: CheckpointQueues;
  /** Recurring jobs (none without `schedules`): started once the consumers are ready. */
  scheduler: Scheduler | undefined;
  removeSignalHandlers: () => void;
}

/**
 * Performs jobs from RabbitMQ queues. Each delivery is decoded, looked up in the
 * registry and executed; it is acked only after perform returned (or after its retry,
 * or its dead letter, was confirmed by the broker). Failures that no rule handles go to
 * the dead-letter queue with their reason: never a crash, never a requeue loop.
 *
 * Stop (`stop()`, SIGTERM, SIGINT): consumers are cancelled, in-flight jobs get up to
 * `shutdownTimeoutMs` to finish, then their AbortSignals are aborted and the connections
 * close; every delivery not acked by then is redelivered by the broker.
 */
export class Worker {
  /** What console.log and JSON.stringify show: never the URL's password, TLS secrets or client internals. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectRedacted(this.constructor.name, this.toJSON(), depth, options, inspectValue);
  }

  toJSON(): Record<string, unknown> {
    return {
      endpoint: describeAmqpUrls(this.options.url),
      queues: this.queues,
      concurrency: this.concurrency,
      running: this.running !== undefined,
      stopping: this.stopping.signal.aborted,
      inFlight: this.inFlight,
    };
  }
  readonly events: TypedEmitter<WorkerEvents>;
  /** Unique per worker: `<host>:<pid>:<random>`; heartbeats carry it and control messages address it. */
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly queues: readonly string[];
  readonly concurrency: number;
  private readonly logger: Logger;
  private readonly topology: Topology;
  private readonly delays: DelayScheduler;
  private readonly deadLetterQueue: string;
  private readonly maxHoldMs: number;
  private readonly forwardPrefetch: number;
  private readonly heartbeatIntervalMs: number;
  private readonly signer: EnvelopeSigner | undefined;
  /** Deliveries received and not yet done with: a count is all that shutdown needs (no Set churn per job; docs/performance.md). */
  private inFlight = 0;
  /** Called when inFlight drops to 0 (set while shutdown waits for it). */
  private onIdle: (() => void) | undefined;
  private readonly stopping = new AbortController();
  /** Aborted when shutdown gives up on in-flight jobs: one signal for all of them (they are all aborted at once). */
  private readonly abandon = new AbortController();
  private running: Running | undefined;
  private abandoned = false;
  private forceAbort: (() => void) | undefined;
  private forced = false;
  private stopped: Promise<void> | undefined;
  /** Paused queues: read from the broker's markers, changed by pause/resume control messages. */
  private pauses: PauseWatcher | undefined;
  /** The running jobs and counts heartbeats report (undefined with `presence: false`). */
  private readonly jobs: RunningJobs | undefined;
  private readonly startedAt = new Date().toISOString();
  private quieted = false;
  private finished = false;
  /** The schedules and their job classes, checked at construction (undefined without `schedules`). */
  private readonly schedules: ReturnType<typeof Scheduler.resolve> | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.logger = componentLogger(options.logger ?? settings().logger, 'worker');
    this.events = new TypedEmitter<WorkerEvents>((error, event) => this.logger.warn({ err: error, event }, 'event listener threw'));
    this.topology = options.topology ?? defaultTopology();
    ({
      concurrency: this.concurrency,
      forwardPrefetch: this.forwardPrefetch,
      maxHoldMs: this.maxHoldMs,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
    } = workerNumbers(options));
    // Every held delivery listens to it (up to `concurrency` at once): no leak warning for that.
    setMaxListeners(0, this.stopping.signal);
    setMaxListeners(0, this.abandon.signal);
    const deadLetterQueue = options.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
    this.deadLetterQueue = deadLetterQueue;
    this.delays = options.delays ?? new DelayLadder({ deadLetterQueue });
    this.signer = options.signing ? new EnvelopeSigner(options.signing) : undefined;
    // It signs the retries it publishes: it must know with which key.
    this.signer?.assertCanSign();
    this.jobs = options.presence === false ? undefined : new RunningJobs({ cancels: DEFAULTS.presence.cancelsKept, retries: DEFAULTS.presence.retriesKept });
    validateContinuationOptions(options.continuation);
    this.schedules = options.schedules?.length
      ? Scheduler.resolve(options.schedules, options.registry, options.schedulerGroup ?? DEFAULTS.schedule.group)
      : undefined;
    this.queues = Object.freeze(options.queues?.length ? [...new Set(options.queues)] : defaultWorkerQueues(options.registry, this.topology, deadLetterQueue));
  }

  /** Jobs currently being performed. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** True while this worker leads its scheduler group (enqueues the ticks of the schedules). */
  get schedulerLeader(): boolean {
    return this.running?.scheduler?.isLeader ?? false;
  }

  /** The queues of this worker that are paused now (see `warren queue pause`). */
  get pausedQueues(): string[] {
    return [...(this.running?.consumer.pausedQueues ?? [])];
  }

  /**
   * Connects and starts consuming. Resolves once every queue is subscribed (or when `stop()`
   * is called first: it waits for an unreachable broker until then); rejects if the broker
   * refuses the topology.
   */
  async start(): Promise<void> {
    if (this.running || this.stopped) throw new ConfigurationError('a worker can be started once');
    for (const warning of consumerTimeoutWarnings(this.options.registry, this.topology, this.queues, this.options.continuation)) this.logger.warn(warning);
    for (const warning of quorumQueueWarnings(this.topology, this.queues)) this.logger.warn(warning);
    const queuesWereGiven = (this.options.queues?.length ?? 0) > 0;
    for (const warning of unconsumedJobWarnings(this.options.registry, this.topology, this.queues, { queuesWereGiven })) this.logger.warn(warning);
    const ownsAdapter = !this.options.adapter;
    const adapter = this.options.adapter ?? new AmqpAdapter({ ...this.options, topology: this.topology, delays: this.delays, logger: this.logger });
    const extend = (topology: Topology): Topology => this.delays.extendTopology?.(topology) ?? topology;
    const connection = new AmqpConnection('consume', { ...this.options, logger: this.logger });
    forwardConnectionEvents(connection.events, this.events);
    if (ownsAdapter) forwardConnectionEvents(adapter.events, this.events);
    const consumer: Consumer = new Consumer(connection, {
      queues: this.queues,
      prefetch: this.concurrency,
      declarer: new TopologyDeclarer(extend(this.topology), connection, this.logger, extend),
      logger: this.logger,
      onDelivery: (delivery) => this.onDelivery(delivery),
      onStaleAck: (delivery) => settlement.staleAck(delivery),
      pausedQueues: (): Promise<ReadonlySet<string>> => pauses.read(),
    });
    const pauses: PauseWatcher = new PauseWatcher(connection, (): Consumer => consumer, this.queues, this.logger);
    this.pauses = pauses;
    const removeSignalHandlers =
      this.options.handleSignals === false
        ? () => {}
        : handleShutdownSignals(
            () => this.stop(),
            () => this.abortNow(),
            this.logger,
          );
    const deadLetters = new DeadLetterPublisher(adapter, this.deadLetterQueue, this.logger);
    const requeueDelayMs = this.options.deadLetterRetryDelayMs ?? DEFAULTS.amqp.deadLetterRetryDelayMs;
    const forwarder = dueForwarderFor({
      delays: this.delays,
      topology: this.topology,
      prefetch: this.forwardPrefetch,
      connection,
      adapter,
      deadLetters,
      logger: this.logger,
      events: this.events,
      retryDelayMs: requeueDelayMs,
      maxHoldMs: this.maxHoldMs,
    });
    const settlement = new DeliverySettlement({
      consumer,
      adapter,
      deadLetters,
      logger: this.logger,
      events: this.events,
      stopping: this.stopping.signal,
      abandoned: () => this.abandoned,
      requeueDelayMs,
    });
    const checkpoints = new CheckpointQueues(adapter.publishingConnection(), { logger: this.logger, signer: this.signer });
    const processor = new DeliveryProcessor({
      context: {
        registry: this.options.registry,
        adapter,
        events: this.events,
        logger: this.logger,
        maxMessageBytes: this.options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
        signatures: this.signer,
        signal: this.abandon.signal,
        abandoned: () => this.abandoned,
        tracker: this.jobs,
        continuations: continuationSupportFor(this.options.continuation, {
          topology: this.topology,
          stopping: this.stopping.signal,
          checkpoints,
          logger: this.logger,
        }),
        gate: flowGateFor(this.options.registry, connection, adapter, this.logger),
      },
      counter: this.jobs,
      settlement,
      maxHoldMs: this.maxHoldMs,
      stopping: this.stopping.signal,
      events: this.events,
      done: () => this.done(),
    });
    const presence = this.jobs ? this.startPresence(connection, adapter, this.jobs) : undefined;
    const scheduler = this.schedules
      ? new Scheduler({
          ...this.schedules,
          group: this.options.schedulerGroup ?? DEFAULTS.schedule.group,
          connection,
          adapter,
          logger: this.logger,
          events: this.events,
        })
      : undefined;
    const running: Running = { connection, consumer, forwarder, adapter, ownsAdapter, processor, presence, checkpoints, scheduler, removeSignalHandlers };
    this.running = running;
    // A stop while waiting for the broker (SIGTERM before it ever connected) ends the wait.
    const stoppedFirst = new Promise<'stopped'>((resolve) => {
      if (this.stopping.signal.aborted) resolve('stopped');
      this.stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const refused = this.options.retryRefusedConnection ? new Promise<never>(() => {}) : refusedConnection(connection);
    try {
      if ((await Promise.race([consumer.ready(), stoppedFirst, refused])) === 'stopped') return;
    } catch (error) {
      await this.stop();
      throw error;
    }
    scheduler?.start();
    this.events.emit('worker:ready', { queues: [...this.queues], concurrency: this.concurrency });
  }

  private startPresence(connection: AmqpConnection, adapter: AmqpAdapter, jobs: RunningJobs): WorkerPresence {
    const worker = this;
    return startPresenceLink({
      worker: {
        id: this.id,
        queues: this.queues,
        concurrency: this.concurrency,
        startedAt: this.startedAt,
        get state() {
          return worker.state;
        },
        get scheduler() {
          return worker.schedules && { group: worker.options.schedulerGroup ?? DEFAULTS.schedule.group, leader: worker.schedulerLeader };
        },
        quiet: () => this.quiet(),
        stop: () => this.stop(),
        cancelJob: (jobId) => this.cancelJob(jobId),
        setPaused: (queue, paused) => this.pauses?.apply(queue, paused),
      },
      jobs,
      events: this.events,
      connection,
      publishing: adapter.publishingConnection(),
      intervalMs: this.heartbeatIntervalMs,
      signer: this.signer,
      logger: this.logger,
    });
  }

  /** running, quiet (after `quiet()`), stopping (shutdown began), stopped. */
  get state(): WorkerState {
    if (this.finished) return 'stopped';
    if (this.stopping.signal.aborted) return 'stopping';
    return this.quieted ? 'quiet' : 'running';
  }

  /**
   * Stops taking new jobs and lets the running ones finish (Sidekiq's quiet): the consumers are
   * cancelled, the worker stays connected and keeps reporting until it is stopped. For deploys:
   * quiet the old workers, start the new ones, stop the old ones when idle.
   */
  async quiet(): Promise<void> {
    if (this.quieted || this.stopping.signal.aborted) return;
    this.quieted = true;
    this.logger.info('quiet: taking no new jobs, finishing the running ones');
    this.events.emit('worker:quiet', { inFlight: this.inFlight });
    // A quiet worker is on its way out (a deploy): another worker leads the schedules.
    await this.running?.scheduler?.close();
    await this.running?.consumer.cancel();
    void this.running?.presence?.beat();
  }

  /**
   * Aborts the signal of the running job with this id (its reason is a JobCancelledError); true
   * when this worker runs it. The job decides what cancelling means; the outcome is in the
   * heartbeats' `cancels`. Needs presence (the default).
   */
  cancelJob(jobId: string): boolean {
    const found = (this.jobs?.cancel(jobId) ?? 0) > 0;
    this.logger.info({ job_id: jobId, found }, found ? 'cancel: signal aborted' : 'cancel: no such running job here');
    if (found) void this.running?.presence?.beat();
    return found;
  }

  private onDelivery(delivery: Delivery): void {
    const running = this.running;
    if (!running) return;
    if (running.consumer.cancelledByWorker) {
      running.consumer.nack(delivery, true); // arrived after cancel: not started, straight back
      return;
    }
    this.inFlight += 1;
    running.processor.receive(delivery);
  }

  /** A delivery is done with (settled, or left to the closing channel). */
  private done(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.onIdle?.();
  }

  /** Graceful stop; see the class comment. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    const running = this.running;
    this.events.emit('worker:stopping', { inFlight: this.inFlight });
    this.stopping.abort();
    if (!running) {
      this.events.emit('worker:stopped', { abandoned: 0 });
      return;
    }
    this.pauses?.close();
    await running.scheduler?.close();
    await running.consumer.cancel();
    const forwarderStopped = running.forwarder?.stop();
    const drained = await this.drain(this.options.shutdownTimeoutMs ?? DEFAULTS.amqp.shutdownTimeoutMs);
    await forwarderStopped;
    void running.presence?.beat();
    const abandoned = this.inFlight;
    if (!drained) {
      this.abandoned = true;
      const why = this.forced ? 'second signal' : 'shutdown timeout';
      this.logger.warn({ abandoned }, `${why}: aborting in-flight jobs; the broker redelivers them`);
      this.abandon.abort(new DOMException('the worker is shutting down', 'AbortError'));
    }
    await running.consumer.close();
    this.finished = true;
    await running.presence?.close();
    await running.checkpoints.close();
    await running.connection.close();
    if (running.ownsAdapter) await running.adapter.close();
    running.removeSignalHandlers();
    this.logger.info({ abandoned: drained ? 0 : abandoned }, 'worker stopped');
    this.events.emit('worker:stopped', { abandoned: drained ? 0 : abandoned });
  }

  /** Ends the shutdown wait at once: in-flight jobs are aborted and redelivered. */
  abortNow(): void {
    this.forced = true;
    this.forceAbort?.();
  }

  /** True when every in-flight job settled within `timeoutMs` (a second signal ends the wait early). */
  private async drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return true;
    if (this.forced) return false;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      this.forceAbort = () => resolve(false);
    });
    const settled = new Promise<true>((resolve) => {
      this.onIdle = () => resolve(true);
    });
    try {
      return await Promise.race([settled, gaveUp]);
    } finally {
      clearTimeout(timer);
      this.forceAbort = undefined;
      this.onIdle = undefined;
    }
  }
}
