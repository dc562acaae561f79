import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { AmqpConnection, type ConnectionEvents } from '../amqp/connection.js';
import { TopologyDeclarer } from '../amqp/declarer.js';
import { DELAY_DEFAULTS } from '../amqp/delay/defaults.js';
import { DelayLadder } from '../amqp/delay/ladder.js';
import type { DelayScheduler } from '../amqp/delay/scheduler.js';
import { redactError } from '../amqp/redact.js';
import { EnvelopeSigner } from '../amqp/signing.js';
import { TypedEmitter } from '../amqp/typed-emitter.js';
import { settings } from '../config/configuration.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import { defaultTopology, jobQueues, type Topology } from '../topology/index.js';
import { Consumer, type Delivery } from './consumer.js';
import { consumerTimeoutWarnings } from './consumer-timeout.js';
import { quorumQueueWarnings } from './quorum-warnings.js';
import { DeadLetterPublisher } from './dead-letter.js';
import { redelay, RUN_NOW, untilDue, type DueVerdict } from './due-time.js';
import type { WorkerEvents } from './events.js';
import type { WorkerOptions } from './options.js';
import { deliveryInfo, processDelivery, type DeliveryContext, type DeliveryVerdict } from './process-delivery.js';
import { handleShutdownSignals } from './signals.js';

const CONNECTION_EVENTS = ['connection:connect', 'connection:disconnect', 'connection:failed', 'connection:blocked', 'connection:unblocked'] as const;

interface Running {
  connection: AmqpConnection;
  consumer: Consumer;
  adapter: AmqpAdapter;
  ownsAdapter: boolean;
  deadLetters: DeadLetterPublisher;
  removeSignalHandlers: () => void;
  /** What processDelivery needs, the same for every delivery. */
  context: DeliveryContext;
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
  readonly events: TypedEmitter<WorkerEvents>;
  readonly queues: readonly string[];
  readonly concurrency: number;
  private readonly logger: Logger;
  private readonly topology: Topology;
  private readonly delays: DelayScheduler;
  private readonly deadLetterQueue: string;
  private readonly maxHoldMs: number;
  private readonly signer: EnvelopeSigner | undefined;
  private readonly inFlight = new Map<Delivery, Promise<void>>();
  private readonly stopping = new AbortController();
  /** Aborted when shutdown gives up on in-flight jobs: one signal for all of them (they are all aborted at once). */
  private readonly abandon = new AbortController();
  private running: Running | undefined;
  private abandoned = false;
  private forceAbort: (() => void) | undefined;
  private forced = false;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.logger = (options.logger ?? settings().logger).child({ component: 'worker' });
    this.events = new TypedEmitter<WorkerEvents>((error, event) => this.logger.warn({ err: error, event }, 'event listener threw'));
    this.topology = options.topology ?? defaultTopology();
    this.concurrency = options.concurrency ?? DEFAULTS.amqp.concurrency;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1 || this.concurrency > 65_535) {
      throw new ConfigurationError(`concurrency must be an integer from 1 to 65535, not ${String(options.concurrency)}`);
    }
    // Every held delivery listens to it (up to `concurrency` at once): no leak warning for that.
    setMaxListeners(0, this.stopping.signal);
    setMaxListeners(0, this.abandon.signal);
    const deadLetterQueue = options.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
    this.deadLetterQueue = deadLetterQueue;
    this.delays = options.delays ?? new DelayLadder({ deadLetterQueue });
    this.maxHoldMs = options.maxHoldMs ?? DELAY_DEFAULTS.maxHoldMs;
    this.signer = options.signing ? new EnvelopeSigner(options.signing) : undefined;
    // It signs the retries it publishes: it must know with which key.
    this.signer?.assertCanSign();
    if (!(this.maxHoldMs >= 0)) throw new ConfigurationError(`maxHoldMs must be a number of milliseconds >= 0, not ${String(options.maxHoldMs)}`);
    // By default the topology's job queues: not dead-letter or alternate-exchange sinks, not `consume: false`, not warren's own queues.
    const queues = options.queues?.length ? options.queues : jobQueues(this.topology, { deadLetterQueue });
    this.queues = Object.freeze([...new Set(queues.length > 0 ? queues : [DEFAULTS.queueName])]);
  }

  /** Jobs currently being performed. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Connects and starts consuming. Resolves once every queue is subscribed (or when `stop()`
   * is called first: it waits for an unreachable broker until then); rejects if the broker
   * refuses the topology.
   */
  async start(): Promise<void> {
    if (this.running || this.stopped) throw new ConfigurationError('a worker can be started once');
    for (const warning of consumerTimeoutWarnings(this.options.registry, this.topology, this.queues)) this.logger.warn(warning);
    for (const warning of quorumQueueWarnings(this.topology, this.queues)) this.logger.warn(warning);
    const ownsAdapter = !this.options.adapter;
    const adapter =
      this.options.adapter ?? new AmqpAdapter({ ...this.options, topology: this.topology, delays: this.delays, logger: this.logger });
    const extend = (topology: Topology): Topology => this.delays.extendTopology?.(topology) ?? topology;
    const connection = new AmqpConnection('consume', { ...this.options, logger: this.logger });
    this.forwardConnectionEvents(connection.events);
    if (ownsAdapter) this.forwardConnectionEvents(adapter.events);
    const consumer = new Consumer(connection, {
      queues: this.queues,
      prefetch: this.concurrency,
      declarer: new TopologyDeclarer(extend(this.topology), connection, this.logger, extend),
      logger: this.logger,
      onDelivery: (delivery) => this.onDelivery(delivery),
      onStaleAck: (delivery) => this.staleAck(delivery),
    });
    const removeSignalHandlers =
      this.options.handleSignals === false
        ? () => {}
        : handleShutdownSignals(() => this.stop(), () => this.abortNow(), this.logger);
    const deadLetters = new DeadLetterPublisher(adapter, this.deadLetterQueue, this.logger);
    const context: DeliveryContext = {
      registry: this.options.registry,
      adapter,
      events: this.events,
      logger: this.logger,
      maxMessageBytes: this.options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
      signatures: this.signer,
      signal: this.abandon.signal,
      abandoned: () => this.abandoned,
    };
    this.running = { connection, consumer, adapter, ownsAdapter, deadLetters, removeSignalHandlers, context };
    // A stop while waiting for the broker (SIGTERM before it ever connected) ends the wait.
    const stoppedFirst = new Promise<'stopped'>((resolve) => {
      if (this.stopping.signal.aborted) resolve('stopped');
      this.stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    try {
      if ((await Promise.race([consumer.ready(), stoppedFirst])) === 'stopped') return;
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.events.emit('worker:ready', { queues: [...this.queues], concurrency: this.concurrency });
  }

  private forwardConnectionEvents(source: TypedEmitter<ConnectionEvents>): void {
    for (const event of CONNECTION_EVENTS) {
      source.on(event, (payload) => this.events.emit(event, payload as WorkerEvents[typeof event]));
    }
  }

  private onDelivery(delivery: Delivery): void {
    const running = this.running;
    if (!running) return;
    if (running.consumer.cancelledByWorker) {
      running.consumer.nack(delivery, true); // arrived after cancel: not started, straight back
      return;
    }
    this.inFlight.set(
      delivery,
      this.perform(delivery, running).then(() => {
        this.inFlight.delete(delivery);
      }),
    );
  }

  /** Never rejects: whatever happens to one delivery is logged and settled here. */
  private async perform(delivery: Delivery, running: Running): Promise<void> {
    try {
      if (this.skipStale(delivery, running)) return;
      const due = untilDue(delivery, { maxHoldMs: this.maxHoldMs, stopping: this.stopping.signal, events: this.events });
      if (due !== RUN_NOW) {
        if (!(await this.afterHold(delivery, await due, running))) return;
        if (this.skipStale(delivery, running)) return;
      }
      const verdict = await processDelivery(delivery, running.context);
      if (verdict.action === 'ack') this.ack(delivery, running);
      else await this.settle(delivery, verdict, running);
    } catch (error) {
      this.logger.error({ err: redactError(error) }, 'unexpected error handling a delivery');
    }
  }

  /**
   * A delivery whose channel closed before perform started (while it was held until due, or
   * waiting behind a blocked event loop) is not performed: the broker has already put it back
   * in its queue, so performing it here would only make a duplicate whose ack is dropped.
   */
  private skipStale(delivery: Delivery, running: Running): boolean {
    if (running.consumer.isLive(delivery)) return false;
    delivery.settled = true;
    this.logger.info({ queue: delivery.queue, generation: delivery.generation }, 'delivery not performed: its channel closed before it started; the broker redelivers it');
    this.events.emit('delivery:skipped', { ...deliveryInfo(delivery), generation: delivery.generation });
    return true;
  }

  /** True when the delivery is due (held until then if it came early); false when it was settled here. */
  private async afterHold(delivery: Delivery, verdict: DueVerdict, running: Running): Promise<boolean> {
    if (verdict.action === 'run') return true;
    if (verdict.action === 'release') {
      running.consumer.nack(delivery, true);
      return false;
    }
    const info = deliveryInfo(delivery);
    try {
      await redelay(delivery, running.adapter, verdict.dueAt);
    } catch (error) {
      this.logger.error({ err: redactError(error), queue: delivery.queue, messageId: info.messageId }, 'cannot delay the job again; the delivery goes back to the queue');
      await this.requeueLater(delivery, redactError(error), running);
      return false;
    }
    this.ack(delivery, running);
    this.events.emit('job:redelayed', { ...info, dueAt: verdict.dueAt });
    return false;
  }

  private async settle(delivery: Delivery, verdict: DeliveryVerdict, running: Running): Promise<void> {
    if (verdict.action === 'ack') {
      this.ack(delivery, running);
      return;
    }
    const info = deliveryInfo(delivery);
    switch (verdict.action) {
      case 'abandon':
        this.events.emit('job:abandoned', info);
        return;
      case 'requeue':
        await this.requeueLater(delivery, verdict.error, running);
        return;
      case 'dead-letter':
        try {
          await running.deadLetters.publish(delivery, verdict.reason, verdict.error);
        } catch (error) {
          this.logger.error(
            { err: redactError(error), queue: delivery.queue, messageId: info.messageId },
            'dead-letter publish failed; the delivery goes back to the queue',
          );
          await this.requeueLater(delivery, redactError(error), running);
          return;
        }
        this.ack(delivery, running);
        this.logger.warn(
          { queue: delivery.queue, messageId: info.messageId, reason: verdict.reason, deadLetterQueue: running.deadLetters.queue },
          'dead-lettered',
        );
        this.events.emit('job:dead', { ...info, reason: verdict.reason, error: verdict.error, deadLetterQueue: running.deadLetters.queue });
    }
  }

  private ack(delivery: Delivery, running: Running): void {
    if (running.consumer.ack(delivery) === 'stale') this.staleAck(delivery);
  }

  private staleAck(delivery: Delivery): void {
    this.logger.info({ queue: delivery.queue, generation: delivery.generation }, 'ack dropped: its channel closed; the broker redelivers the job');
    this.events.emit('delivery:stale-ack', { ...deliveryInfo(delivery), generation: delivery.generation });
  }

  /** nack with requeue after a pause (cut short by stop), so a failing publish is no tight loop. */
  private async requeueLater(delivery: Delivery, error: Error, running: Running): Promise<void> {
    if (this.abandoned) return;
    const delayMs = this.options.deadLetterRetryDelayMs ?? DEFAULTS.amqp.deadLetterRetryDelayMs;
    await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => {});
    if (this.abandoned) return;
    running.consumer.nack(delivery, true);
    this.events.emit('job:requeued', { ...deliveryInfo(delivery), error });
  }

  /** Graceful stop; see the class comment. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    const running = this.running;
    this.events.emit('worker:stopping', { inFlight: this.inFlight.size });
    this.stopping.abort();
    if (!running) {
      this.events.emit('worker:stopped', { abandoned: 0 });
      return;
    }
    await running.consumer.cancel();
    const drained = await this.drain(this.options.shutdownTimeoutMs ?? DEFAULTS.amqp.shutdownTimeoutMs);
    const abandoned = this.inFlight.size;
    if (!drained) {
      this.abandoned = true;
      this.logger.warn({ abandoned }, 'shutdown timeout: aborting in-flight jobs; the broker redelivers them');
      this.abandon.abort(new DOMException('the worker is shutting down', 'AbortError'));
    }
    await running.consumer.close();
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
    if (this.inFlight.size === 0) return true;
    if (this.forced) return false;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      this.forceAbort = () => resolve(false);
    });
    const settled = (async (): Promise<true> => {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
      return true;
    })();
    try {
      return await Promise.race([settled, gaveUp]);
    } finally {
      clearTimeout(timer);
      this.forceAbort = undefined;
    }
  }
}
