import { inspect, type InspectOptionsStylized } from 'node:util';
import { AmqpUniqueLocks } from '../../amqp/unique-locks.js';
import type { Options } from 'amqplib';
import { componentLogger } from '../../config/logger.js';
import type { Logger } from 'pino';
import { AmqpConnection, describeAmqpUrls, type ConnectionEvents } from '../../amqp/connection.js';
import { TopologyDeclarer } from '../../amqp/declarer.js';
import { DelayLadder } from '../../amqp/delay/ladder.js';
import type { DelayedJob, DelayScheduler, PublishTarget } from '../../amqp/delay/scheduler.js';
import { jobMessageProperties } from '../../amqp/message.js';
import { ConfirmPublisher, type PublishRequest } from '../../amqp/publisher.js';
import { EnvelopeSigner } from '../../amqp/signing.js';
import { inspectRedacted, redactError } from '../../support/redact.js';
import { TypedEmitter } from '../../support/typed-emitter.js';
import { settings } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { codecFor } from '../../envelope/codecs/index.js';
import { CONTENT_TYPES, type Envelope, type EnvelopeCodec, type EnvelopeEncoding } from '../../envelope/envelope.js';
import { ConfigurationError, EnqueueError, WarrenError } from '../../errors.js';
import { defaultTopology, resolveRoute, routeReachesSomeQueue, type RouteSpec, type Topology } from '../../topology/index.js';
import { startPublishTrace, type PublishTrace } from '../../tracing/job-spans.js';
import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../adapter.js';
import type { AmqpAdapterOptions } from './amqp-adapter-options.js';
import { PriorityMapper } from './priority-mapper.js';

/**
 * A delayed job is checked before it enters the delay ladder: the broker cannot return it as
 * unroutable at publish time (the ladder's entry exchange takes it), and when due the ladder's
 * last exchange could only dead-letter it as undeliverable. So it fails at enqueue, with the
 * same EnqueueError an immediate publish to that route gets from `mandatory`.
 */
function assertDelayedRouteReachesQueue(topology: Topology, route: RouteSpec, queueName: string): void {
  if (routeReachesSomeQueue(topology, route, queueName)) return;
  throw new EnqueueError(
    `unroutable job: no queue is bound to exchange "${route.exchange}" for routing key "${route.routingKey}" ` +
      `(checked against the topology before delaying it into queue "${queueName}"); check the topology's bindings`,
  );
}

interface Connected {
  connection: AmqpConnection;
  publisher: ConfirmPublisher;
  declarer: TopologyDeclarer;
}

function noReceipt(): EnqueueReceipt {
  return NO_RECEIPT;
}

/** AMQP assigns no id of its own to a message: enqueue resolves with an empty receipt. */
const NO_RECEIPT: EnqueueReceipt = Object.freeze({});

/** What an AmqpAdapter reports: its publishing connection, and each job the broker confirmed. */
export interface AmqpAdapterEvents extends ConnectionEvents {
  /** The broker confirmed the job's message (`scheduledAt`: ms since the epoch, for a delayed job). */
  'job:enqueued': { jobClass: string; jobId: string; queue: string; scheduledAt: number | undefined };
}

/**
 * The RabbitMQ adapter: publishes envelopes with publisher confirms on its own
 * publishing connection (opened on first use). `enqueue` resolves only once the broker
 * confirmed the job; everything else is an EnqueueError within the publish timeout.
 * No provider job id: the AMQP message id is the job id.
 */
export class AmqpAdapter implements QueueAdapter {
  /** What console.log and JSON.stringify show: never the URL's password, TLS secrets or client internals. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectRedacted(this.constructor.name, this.toJSON(), depth, options, inspectValue);
  }

  toJSON(): Record<string, unknown> {
    return {
      endpoint: describeAmqpUrls(this.options.url),
      encoding: this.encoding,
      connected: this.connected !== undefined,
      closed: this.closed,
      pending: this.pending,
    };
  }
  readonly name = 'amqp';
  /** Connection events of the publishing connection (credentials redacted), and `job:enqueued`. */
  readonly events = new TypedEmitter<AmqpAdapterEvents>();
  private readonly logger: Logger;
  private readonly encoding: EnvelopeEncoding;
  private readonly codec: EnvelopeCodec;
  private readonly maxMessageBytes: number;
  private readonly delays: DelayScheduler;
  private readonly priorities: PriorityMapper;
  private readonly baseTopology: Topology;
  private readonly signer: EnvelopeSigner | undefined;
  /** Publishes not yet settled; close() waits for them. */
  private pending = 0;
  private onIdle: (() => void) | undefined;
  private connected: Connected | undefined;
  private locks: AmqpUniqueLocks | undefined;
  private closed = false;

  constructor(private readonly options: AmqpAdapterOptions = {}) {
    this.logger = componentLogger(options.logger ?? settings().logger, 'amqp-adapter');
    this.encoding = options.encoding ?? DEFAULTS.encoding;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
    this.delays = options.delays ?? new DelayLadder();
    this.priorities = new PriorityMapper(this.logger);
    this.signer = options.signing ? new EnvelopeSigner(options.signing) : undefined;
    this.signer?.assertCanSign();
    const topology = options.topology ?? defaultTopology();
    this.baseTopology = this.delays.extendTopology ? this.delays.extendTopology(topology) : topology;
    if (!Object.hasOwn(CONTENT_TYPES, this.encoding)) {
      throw new ConfigurationError(`unknown encoding ${JSON.stringify(this.encoding)}: use 'json' or 'protobuf'`);
    }
    this.codec = codecFor(CONTENT_TYPES[this.encoding]);
  }

  /** How long a publish may wait for the broker's confirm (the option, or DEFAULTS.amqp.publishTimeoutMs). */
  get publishTimeoutMs(): number {
    return this.options.publishTimeoutMs ?? DEFAULTS.amqp.publishTimeoutMs;
  }

  get supportsDelays(): boolean {
    return this.delays.supportsDelays;
  }

  /** The topology this adapter routes with, including queues declared on first use. */
  get topology(): Topology {
    return this.connected?.declarer.topology ?? this.baseTopology;
  }

  enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    // Undefined unless OpenTelemetry is installed and something is registered with it (src/tracing/).
    const trace = startPublishTrace(envelope, 0);
    const published = this.publishEnvelope(envelope, 0, trace);
    const receipt = this.track(trace === undefined ? published : trace.settle(published));
    return this.events.has('job:enqueued') ? this.announce(receipt, envelope, undefined) : receipt;
  }

  enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    const delayMs = timestamp - Date.now();
    const trace = startPublishTrace(envelope, delayMs);
    const published = this.publishEnvelope(envelope, delayMs, trace);
    const receipt = this.track(trace === undefined ? published : trace.settle(published));
    return this.events.has('job:enqueued') ? this.announce(receipt, envelope, timestamp) : receipt;
  }

  /** Emits `job:enqueued` once the broker confirmed the publish (built only when listened to). */
  private announce(receipt: Promise<EnqueueReceipt>, envelope: Envelope, scheduledAt: number | undefined): Promise<EnqueueReceipt> {
    return receipt.then((value) => {
      this.events.emit('job:enqueued', { jobClass: envelope.job_class, jobId: envelope.job_id, queue: envelope.queue_name, scheduledAt });
      return value;
    });
  }

  /**
   * Publishes every job without waiting for confirms (they are pipelined) and reports each
   * outcome in order. Jobs are encoded and handed to the channel a slice at a time, with a
   * turn of the event loop between slices, so the first ones are on the wire (amqplib writes
   * on setImmediate) and the broker works while the rest are encoded.
   */
  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    const outcomes: Promise<BulkOutcome>[] = [];
    for (let start = 0; start < items.length; start += DEFAULTS.amqp.bulkPublishSlice) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const item of items.slice(start, start + DEFAULTS.amqp.bulkPublishSlice)) {
        const receipt = item.scheduledAt === undefined ? this.enqueue(item.envelope) : this.enqueueAt(item.envelope, item.scheduledAt);
        outcomes.push(
          receipt.then(
            (value): BulkOutcome => ({ ok: true, ...value }),
            (error: unknown): BulkOutcome => ({ ok: false, error: error instanceof Error ? error : new EnqueueError(String(error)) }),
          ),
        );
      }
    }
    return Promise.all(outcomes);
  }

  /**
   * Publishes an already encoded message to a queue through the topology's route for it
   * (declaring the queue on first use), with confirms, `mandatory` and the publish timeout.
   * Low-level: the worker's dead-letter path uses it to move a message without re-encoding it.
   */
  async publishToQueue(queueName: string, content: Buffer, properties: Options.Publish & { messageId: string }): Promise<void> {
    const { publisher, declarer } = this.connect();
    const route = resolveRoute(declarer.topology, queueName);
    await this.ensureDefaultRoute(declarer, route, queueName);
    // A copy: the publisher sets its own fields on the properties it is given.
    await this.track(publisher.publish({ exchange: route.exchange, routingKey: route.routingKey, content, properties: { ...properties } }));
  }

  /**
   * Publishes an already encoded message straight into `queueName` (AMQP default exchange), with
   * confirms, `mandatory` and the publish timeout; UnroutableError when the queue does not exist.
   * The worker's due-job forwarder uses it: the delay ladder already resolved the job's route to
   * this queue when the job was enqueued.
   */
  async publishIntoQueue(queueName: string, content: Buffer, properties: Options.Publish & { messageId: string }): Promise<void> {
    const { publisher } = this.connect();
    await this.track(publisher.publish({ exchange: '', routingKey: queueName, content, properties }));
  }

  /**
   * Declares a queue of the topology again (with its bindings), for one deleted from the broker
   * while warren runs. False when the topology does not know it or the broker is not connected.
   */
  async redeclareQueue(queueName: string): Promise<boolean> {
    return this.connect().declarer.redeclare(queueName);
  }

  /**
   * Publishes an already encoded message so that it reaches `queueName` at `dueAt` (ms since the
   * epoch) through the delay mechanism, with confirms. The worker uses it to send a delivery that
   * arrived far too early round the delay ladder again. `properties` must not carry the broker's
   * or the delay mechanism's headers (x-death, CC, the due time): the target's are added.
   */
  async publishToQueueAt(queueName: string, content: Buffer, properties: Options.Publish & { messageId: string }, dueAt: number): Promise<void> {
    const { declarer } = this.connect();
    const topology = declarer.topology;
    const route = resolveRoute(topology, queueName);
    const job = { queue_name: queueName, job_class: typeof properties.type === 'string' ? properties.type : 'job', job_id: properties.messageId };
    const delayMs = dueAt - Date.now();
    if (delayMs > 0) assertDelayedRouteReachesQueue(topology, route, queueName);
    const target: PublishTarget = delayMs > 0 ? this.delays.targetFor(route, delayMs, job, topology) : route;
    const delayed = delayMs > 0 ? { dueAt, job } : undefined;
    await this.track(this.publishTo(target, route, queueName, content, { ...properties, headers: { ...properties.headers, ...target.headers } }, delayed));
  }

  /**
   * Like publishToQueueAt, but into `queueName` itself (the AMQP default exchange) rather than
   * through the topology's route, for queues this adapter's topology may not know: moving jobs
   * out of warren 0.1's classic delay ladder (see migrateLegacyLadder). A due job goes straight
   * in, keeping its due-time header; a later one through the delay ladder.
   */
  async publishIntoQueueAt(queueName: string, content: Buffer, properties: Options.Publish & { messageId: string }, dueAt: number): Promise<void> {
    const { declarer } = this.connect();
    const route: RouteSpec = { exchange: '', routingKey: queueName };
    const job = { queue_name: queueName, job_class: typeof properties.type === 'string' ? properties.type : 'job', job_id: properties.messageId };
    const delayMs = dueAt - Date.now();
    const target: PublishTarget = delayMs > 0 ? this.delays.targetFor(route, delayMs, job, declarer.topology) : route;
    const delayed = delayMs > 0 ? { dueAt, job } : undefined;
    await this.track(this.publishTo(target, route, queueName, content, { ...properties, headers: { ...properties.headers, ...target.headers } }, delayed));
  }

  /**
   * Publishes a job straight into its queue (the AMQP default exchange, the queue declared first
   * as the topology has it) and, in the same publish, a copy into `copyQueue` (a CC): the broker
   * routes one message to both, so the job is in its queue exactly when the copy is. The scheduler
   * records each schedule's last tick so (src/worker/scheduler.ts); `copyQueue` must exist (a CC
   * to a missing queue is dropped). `headers` go on both. Signed when the adapter signs.
   */
  enqueueWithCopy(envelope: Envelope, copyQueue: string, headers: Record<string, string | number>): Promise<EnqueueReceipt> {
    // Traced and announced (`job:enqueued`) as any enqueue.
    const trace = startPublishTrace(envelope, 0);
    trace?.route('', envelope.queue_name);
    const published = this.publishWithCopy(envelope, copyQueue, trace?.headers ? { ...headers, ...trace.headers } : headers);
    const receipt = this.track(trace === undefined ? published : trace.settle(published));
    return this.events.has('job:enqueued') ? this.announce(receipt, envelope, undefined) : receipt;
  }

  private async publishWithCopy(envelope: Envelope, copyQueue: string, headers: Record<string, string | number>): Promise<EnqueueReceipt> {
    const content = this.encodeWithinLimit(envelope);
    const { publisher, declarer } = this.connect();
    const queueName = envelope.queue_name;
    if (!declarer.isEnsured(queueName)) await this.withinPublishTimeout(declarer.ensure(queueName), `declaring queue "${queueName}"`);
    const priority = this.priorities.brokerPriority(declarer.topology, envelope);
    const properties = jobMessageProperties(envelope, this.codec.contentType, priority, { ...headers, ...this.signer?.headersFor(content) });
    properties.CC = [copyQueue];
    await publisher.publish({ exchange: '', routingKey: queueName, content, properties });
    return {};
  }

  /** The envelope encoded; EnqueueError when it cannot be, or when it is larger than maxMessageBytes. */
  private encodeWithinLimit(envelope: Envelope): Buffer {
    let content: Buffer;
    try {
      content = this.codec.encode(envelope);
    } catch (error) {
      if (error instanceof WarrenError) throw error;
      throw new EnqueueError(`cannot encode job ${envelope.job_class} (${envelope.job_id}): ${String(error)}`, { cause: error });
    }
    if (content.length > this.maxMessageBytes) {
      throw new EnqueueError(
        `job ${envelope.job_class} (${envelope.job_id}) is ${content.length} bytes, above the limit of ${this.maxMessageBytes} bytes ` +
          '(maxMessageBytes); pass large data by reference (a GlobalID, a storage key) instead of in the arguments',
      );
    }
    return content;
  }

  /** Unique-job locks (`static unique`) on this adapter's publishing connection, opened on first use. */
  get uniqueLocks(): AmqpUniqueLocks {
    this.locks ??= new AmqpUniqueLocks(this.publishingConnection(), this.publishTimeoutMs);
    return this.locks;
  }

  /** Waits for publishes in flight to settle (each within its timeout), then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    await this.locks?.close();
    const connected = this.connected;
    this.connected = undefined;
    if (!connected) return;
    await connected.publisher.close();
    await connected.connection.close();
  }

  /**
   * Not an async function: a job that needs no declaration is one chain of promise reactions (docs/performance.md).
   * `trace`: the job's publish span, when traced; its trace headers go with the message.
   */
  private publishEnvelope(envelope: Envelope, delayMs: number, trace: PublishTrace | undefined): Promise<EnqueueReceipt> {
    const codec = this.codec;
    let content: Buffer;
    try {
      content = this.encodeWithinLimit(envelope);
    } catch (error) {
      return Promise.reject(error);
    }
    if (delayMs > DEFAULTS.delay.maxDelayMs) {
      return Promise.reject(
        new EnqueueError(
          `job ${envelope.job_class} (${envelope.job_id}) is due in ${Math.round(delayMs / 86_400_000)} days, beyond the longest delay warren makes (${Math.round(DEFAULTS.delay.maxDelayMs / 86_400_000)} days, DEFAULTS.delay.maxDelayMs)`,
        ),
      );
    }
    try {
      const topology = this.topology;
      const route = resolveRoute(topology, envelope.queue_name, envelope.job_class);
      trace?.route(route.exchange, route.routingKey);
      if (delayMs > 0) assertDelayedRouteReachesQueue(topology, route, envelope.queue_name);
      const target: PublishTarget = delayMs > 0 ? this.delays.targetFor(route, delayMs, envelope, topology) : route;
      const dueAt = Date.now() + delayMs;
      // Declared (or adopted as the broker has it) first: the priority maps against the queue's real max priority.
      const { declarer } = this.connect();
      const publish = (): Promise<EnqueueReceipt> => {
        const priority = this.priorities.brokerPriority(declarer.topology, envelope);
        const signature = this.signer?.headersFor(content);
        let extraHeaders = target.headers && signature ? { ...target.headers, ...signature } : (target.headers ?? signature);
        // W3C trace context (schemas/README.md): copied with every other header round the delay ladder, to dead letters and back.
        if (trace?.headers) extraHeaders = extraHeaders ? { ...extraHeaders, ...trace.headers } : trace.headers;
        const properties = jobMessageProperties(envelope, codec.contentType, priority, extraHeaders);
        const confirmed = this.publishTo(target, route, envelope.queue_name, content, properties, delayMs > 0 ? { dueAt, job: envelope } : undefined);
        if (!this.logger.isLevelEnabled('debug')) return confirmed.then(noReceipt);
        return confirmed.then(() => {
          this.logger.debug({ jobClass: envelope.job_class, jobId: envelope.job_id, queue: envelope.queue_name }, 'job confirmed by the broker');
          return {};
        });
      };
      const declaring = this.ensureDefaultRoute(declarer, route, envelope.queue_name);
      return declaring ? declaring.then(publish) : publish();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Takes `properties` over (adds the target's expiration and CC to it): pass an object of the call's own. */
  private publishTo(
    target: PublishTarget,
    route: RouteSpec,
    queueName: string,
    content: Buffer,
    properties: Options.Publish & { messageId: string },
    delayed?: { dueAt: number; job: DelayedJob },
  ): Promise<void> {
    const { publisher, declarer } = this.connect();
    if (target.expiration !== undefined) properties.expiration = target.expiration;
    if (target.cc?.length) properties.CC = target.cc;
    const request: PublishRequest = { exchange: target.exchange, routingKey: target.routingKey, content, properties };
    // The delay is counted from the send, not from now: connecting or declaring first must not make the job late.
    // (Only where the delay mechanism needs no declaration per target, as the ladder: queues per delay would change.)
    if (delayed && !target.queues?.length) request.beforeSend = (sending) => this.replace(sending, route, delayed.dueAt, delayed.job, declarer.topology);
    const declaring = this.ensureDefaultRoute(declarer, route, queueName);
    if (!declaring && !target.queues) return publisher.publish(request);
    return (async () => {
      if (declaring) await declaring;
      if (target.queues) await this.withinPublishTimeout(declarer.ensureGenerated(target.queues, this.delays.refreshMs), 'declaring delay queues');
      await publisher.publish(request);
    })();
  }

  /** Routes a delayed publish through the delay mechanism for the time left until `dueAt`. */
  private replace(request: PublishRequest, route: RouteSpec, dueAt: number, job: DelayedJob, topology: Topology): void {
    const target = this.delays.targetFor(route, Math.max(1, dueAt - Date.now()), job, topology);
    if (target.queues?.length) return;
    request.exchange = target.exchange;
    request.routingKey = target.routingKey;
    const { properties } = request;
    if (target.cc?.length) properties.CC = target.cc;
    else delete properties.CC;
    if (target.expiration !== undefined) properties.expiration = target.expiration;
    else delete properties.expiration;
    if (target.headers) properties.headers = { ...properties.headers, ...target.headers };
  }

  /**
   * A queue reached through the default route (not listed in the topology) is declared on first
   * use. Undefined when there is nothing to wait for (the common case: no await per publish).
   */
  private ensureDefaultRoute(declarer: TopologyDeclarer, route: RouteSpec, queueName: string): Promise<void> | undefined {
    if (route.exchange !== declarer.topology.defaultExchange || route.routingKey !== queueName) return undefined;
    return declarer.isEnsured(queueName) ? undefined : this.withinPublishTimeout(declarer.ensure(queueName), `declaring queue "${queueName}"`);
  }

  /**
   * A declaration a publish waits for, given up after the publish timeout like the publish
   * itself: a connection the broker blocked (resource alarm) before the declaration was answered
   * would otherwise hold the publish, and a worker's retry with it, until the alarm clears.
   */
  private withinPublishTimeout(declaring: Promise<void>, what: string): Promise<void> {
    const timeoutMs = this.options.publishTimeoutMs ?? DEFAULTS.amqp.publishTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const blocked = this.connected?.connection.blockedReason;
        const why = blocked ? `: the broker has blocked publishing (${blocked})` : '';
        reject(new EnqueueError(`${what} did not finish within ${timeoutMs} ms${why}; the job was not enqueued`));
      }, timeoutMs);
      timer.unref();
    });
    return Promise.race([declaring, timedOut]).finally(() => clearTimeout(timer));
  }

  /**
   * The publishing connection (opened on first use), for what else a process publishes beside
   * jobs: the worker's heartbeats go out here, never on its consuming connection.
   * @internal
   */
  publishingConnection(): AmqpConnection {
    return this.connect().connection;
  }

  private connect(): Connected {
    if (this.closed) throw new EnqueueError('the AMQP adapter is closed');
    if (this.connected) return this.connected;
    const connection = new AmqpConnection('publish', { ...this.options, logger: this.logger });
    for (const event of ['connection:connect', 'connection:disconnect', 'connection:failed', 'connection:blocked', 'connection:unblocked'] as const) {
      connection.events.on(event, (payload) => this.events.emit(event, payload));
    }
    const declarer = new TopologyDeclarer(this.baseTopology, connection, this.logger, (topology) => this.delays.extendTopology?.(topology) ?? topology);
    const publisher = new ConfirmPublisher(connection, {
      setup: (channel) => declarer.declareAll(channel),
      publishTimeoutMs: this.options.publishTimeoutMs,
      publishNackRetries: this.options.publishNackRetries,
      confirmStallMs: this.options.confirmStallMs,
      logger: this.logger,
    });
    this.connected = { connection, publisher, declarer };
    return this.connected;
  }

  /** Counts `promise` as in flight until it settles (close() waits for it): one reaction, no closure per publish. */
  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending += 1;
    return promise.then(this.settledOk as (value: T) => T, this.settledWithError);
  }

  private readonly settledOk = <T>(value: T): T => {
    this.untrack();
    return value;
  };

  private readonly settledWithError = (error: unknown): never => {
    this.untrack();
    this.logger.debug({ err: redactError(error) }, 'publish failed');
    throw error;
  };

  private untrack(): void {
    this.pending -= 1;
    if (this.pending === 0) this.onIdle?.();
  }
}
