import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { EnqueueError, TopologyError, UnencodableMessageError } from '../errors.js';
import type { AmqpConnection } from './connection.js';
import { channelErrorNamesExchange, describeTarget, isServerChannelError, publishTimeoutError, unroutableError, type Exposure } from './publish-failure.js';
import { redactError } from '../support/redact.js';
import { ReturnTracker, type ReturnedMessage, type TrackedPublish } from './returns.js';
import { describeConnectFailure } from './connect-failure.js';
import { settleWithin } from './settle-within.js';

/** One message to publish. `properties.messageId` is required: returns are matched by it. */
export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** This publish's own object: the publisher sets persistent and mandatory on it. */
  properties: Options.Publish & { messageId: string };
  /**
   * Runs just before each send of this message (the first, and a re-send after a dropped
   * connection) and may change its route and properties: a delayed job is placed in the delay
   * ladder from its due time at that moment, so time spent connecting is not added to its delay.
   */
  beforeSend?: (request: PublishRequest) => void;
}

export interface ConfirmPublisherOptions {
  /** Runs on every new channel before anything is published (topology assertion). */
  setup: (channel: ConfirmChannel) => Promise<void>;
  /** Every publish settles within this time. Default: DEFAULTS.amqp.publishTimeoutMs. */
  publishTimeoutMs?: number | undefined;
  /** Publishes again after a broker nack this many times, then fails. Default: DEFAULTS.amqp.publishNackRetries. */
  publishNackRetries?: number | undefined;
  /** A channel whose oldest publish waits this long for its confirm is replaced, and its publishes sent again. Default: DEFAULTS.amqp.confirmStallMs. */
  confirmStallMs?: number | undefined;
  logger: Logger;
}

/** A publish until it settles. It is the return tracker's entry too (messageId, returned). */
interface Pending extends TrackedPublish {
  readonly request: PublishRequest;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
  nacks: number;
  exposure: Exposure;
  /** The channel its latest copy went out on; undefined while it waits to be sent. */
  channel: ConfirmChannel | undefined;
  sentAt: number;
  settled: boolean;
}

/**
 * Publishes on a confirm channel of its own and settles every publish: resolved only after
 * the broker confirmed it (and did not return it as unroutable), rejected with EnqueueError
 * otherwise, always within the publish timeout. Persistent and `mandatory` on every message.
 *
 * The publisher, not a library under it, keeps every publish until its confirm: when the
 * channel or the connection closes first, the publishes that were on it are sent again, with
 * the same message id, on the next channel as soon as it is set up (at-least-once: the broker
 * may then hold two copies, which the message id identifies). A nack is sent again; a channel
 * error (404, 406...) fails the publishes it concerns with the broker's reason. A channel that
 * stops confirming (seen on a cluster node during a leader election) is replaced after
 * `confirmStallMs` and its publishes sent again.
 */
export class ConfirmPublisher {
  private readonly returns = new ReturnTracker();
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly nackRetries: number;
  private readonly stallMs: number;
  /** Publishes waiting for a channel (new ones while none is ready, and copies to send again). */
  private waiting: Pending[] = [];
  /** Publishes sent on the current channel and not yet confirmed, oldest first. */
  private readonly unconfirmed = new Set<Pending>();
  private channel: ConfirmChannel | undefined;
  private opening = false;
  private hasRoom = true;
  /** The broker's reason for closing the current channel, read when its 'close' follows. */
  private channelError: Error | undefined;
  /** Set while the topology cannot be declared; new publishes fail at once. */
  private setupError: Error | undefined;
  private lastConnectError: Error | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConfirmPublisherOptions,
  ) {
    this.logger = options.logger;
    this.timeoutMs = options.publishTimeoutMs ?? DEFAULTS.amqp.publishTimeoutMs;
    this.nackRetries = options.publishNackRetries ?? DEFAULTS.amqp.publishNackRetries;
    this.stallMs = options.confirmStallMs ?? DEFAULTS.amqp.confirmStallMs;
    connection.events.on('connection:failed', ({ error, endpoint, permanent }) => {
      this.lastConnectError = error;
      // A refused login will not fix itself: what waits to be sent fails now, not after its timeout.
      if (permanent)
        this.failWaiting((request) => `cannot publish to ${describeTarget(request)}: ${describeConnectFailure(endpoint, error)}; the job was not enqueued`);
    });
    connection.events.on('connection:connect', () => {
      this.lastConnectError = undefined;
      void this.openChannel();
    });
    connection.events.on('connection:unblocked', () => this.flush());
    if (connection.isConnected()) void this.openChannel();
  }

  /** Resolves once the broker confirmed the message; rejects with EnqueueError. */
  publish(request: PublishRequest): Promise<void> {
    if (this.closed) return Promise.reject(new EnqueueError(`cannot publish to ${describeTarget(request)}: the publisher is closed`));
    if (this.setupError) {
      return Promise.reject(
        new EnqueueError(`cannot publish to ${describeTarget(request)}: the topology could not be declared: ${this.setupError.message}`, {
          cause: this.setupError,
        }),
      );
    }
    // The request's properties are the publish's own (see PublishRequest): set, not copied.
    request.properties.persistent = true;
    request.properties.mandatory = true;
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        request,
        resolve,
        reject,
        messageId: request.properties.messageId,
        returned: undefined,
        deadline: Date.now() + this.timeoutMs,
        nacks: 0,
        exposure: 'none',
        channel: undefined,
        sentAt: 0,
        settled: false,
      };
      if (this.waiting.length === 0 && this.canSend()) this.send(pending, this.channel!);
      else this.waiting.push(pending);
      this.startSweeping();
    });
  }

  /** Fails what was never sent, waits (briefly) for the rest, and closes the channel. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reopenTimer);
    for (const pending of this.waiting.splice(0)) {
      this.fail(pending, new EnqueueError(`the publisher closed before the broker confirmed ${describeTarget(pending.request)}`));
    }
    const channel = this.channel;
    this.channel = undefined;
    if (channel) await settleWithin(channel.close(), 5_000);
    for (const pending of [...this.unconfirmed]) {
      this.fail(pending, new EnqueueError(`the publisher closed before the broker confirmed ${describeTarget(pending.request)}`));
    }
    this.stopSweeping();
  }

  /** Fails every publish not sent yet (so certainly not enqueued). */
  private failWaiting(message: (request: PublishRequest) => string): void {
    for (const pending of this.waiting.splice(0)) if (!pending.settled) this.fail(pending, new EnqueueError(message(pending.request)));
  }

  private canSend(): boolean {
    return this.channel !== undefined && this.hasRoom && !this.connection.blockedReason;
  }

  private send(pending: Pending, channel: ConfirmChannel): void {
    pending.channel = channel;
    pending.sentAt = Date.now();
    if (pending.exposure === 'none') pending.exposure = 'unconfirmed';
    pending.returned = undefined;
    this.returns.add(pending);
    this.unconfirmed.add(pending);
    pending.request.beforeSend?.(pending.request);
    const { exchange, routingKey, content, properties } = pending.request;
    try {
      this.hasRoom = channel.publish(exchange, routingKey, content, properties, (error: unknown) => this.onConfirm(pending, channel, error));
    } catch (error) {
      if (error instanceof RangeError) {
        // amqplib could not encode it (a header table over 64 KiB) and sent nothing: no channel trouble.
        this.fail(pending, new UnencodableMessageError(`cannot send ${describeTarget(pending.request)}: ${error.message}`, { cause: error }));
        return;
      }
      // The channel is closing: its 'close' sends this publish again with the others.
      this.hasRoom = false;
    }
  }

  private onConfirm(pending: Pending, channel: ConfirmChannel, error: unknown): void {
    // A confirm for an older copy, or a publish settled meanwhile (timed out, failed).
    if (pending.settled || pending.channel !== channel) return;
    if (!error) {
      this.release(pending);
      if (pending.returned) this.fail(pending, unroutableError(pending.returned));
      else this.succeed(pending);
      return;
    }
    if (error instanceof Error && error.message === 'message nacked') {
      this.release(pending);
      pending.nacks += 1;
      if (pending.nacks > this.nackRetries) {
        this.fail(pending, new EnqueueError(`the broker refused (nacked) ${describeTarget(pending.request)} ${pending.nacks} times`));
      } else {
        this.waiting.push(pending);
        this.flush();
      }
    }
    // 'channel closed': the channel's 'close' handler decides (send again, or fail with its error).
  }

  private release(pending: Pending): void {
    this.unconfirmed.delete(pending);
    this.returns.release(pending);
    pending.channel = undefined;
  }

  private succeed(pending: Pending): void {
    pending.settled = true;
    pending.resolve();
  }

  private fail(pending: Pending, error: Error): void {
    if (pending.settled) return;
    this.release(pending);
    pending.settled = true;
    pending.reject(error);
  }

  /** Sends what waits, in order, while the channel takes more. */
  private flush(): void {
    if (!this.canSend() || this.waiting.length === 0) return;
    const channel = this.channel!;
    const waiting = this.waiting;
    let index = 0;
    while (index < waiting.length && this.hasRoom) {
      const pending = waiting[index]!;
      index += 1;
      if (!pending.settled) this.send(pending, channel);
    }
    this.waiting = index === waiting.length ? [] : waiting.slice(index);
  }

  private async openChannel(): Promise<void> {
    if (this.opening || this.channel || this.closed) return;
    const model = this.connection.current;
    if (!model) return;
    this.opening = true;
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (error) {
      this.opening = false;
      this.logger.warn({ err: redactError(error) }, 'cannot open a publishing channel; retrying');
      this.reopenLater();
      return;
    }
    this.channelError = undefined;
    channel.on('error', (error: unknown) => {
      this.channelError = redactError(error);
      this.logger.error({ err: this.channelError }, 'the broker closed the publishing channel');
    });
    channel.on('close', () => this.onChannelClosed(channel));
    channel.on('return', (message: Message) => this.returns.onReturn(message));
    channel.on('drain', () => {
      this.hasRoom = true;
      this.flush();
    });
    try {
      await this.options.setup(channel);
    } catch (error) {
      this.opening = false;
      this.onSetupFailed(error);
      await settleWithin(channel.close(), 1_000);
      return;
    }
    this.opening = false;
    if (this.closed) {
      await settleWithin(channel.close(), 1_000);
      return;
    }
    if (this.setupError) this.logger.info('topology declared; publishing resumes');
    this.setupError = undefined;
    this.channel = channel;
    this.hasRoom = true;
    this.flush();
  }

  private onSetupFailed(error: unknown): void {
    if (isServerChannelError(error) || error instanceof TopologyError) {
      this.setupError = redactError(error);
      this.logger.error({ err: this.setupError }, 'cannot declare the topology on the broker; publishes fail until it can (run `warren topology verify`)');
      // Publishes already waiting fail now rather than at their timeout: the cause will not go away by itself.
      for (const pending of this.waiting.splice(0)) {
        this.fail(
          pending,
          new EnqueueError(`cannot publish to ${describeTarget(pending.request)}: the topology could not be declared: ${this.setupError.message}`, {
            cause: this.setupError,
          }),
        );
      }
    }
    // Otherwise the connection dropped during setup: the next connect opens a channel.
    this.reopenLater();
  }

  /**
   * The channel closed (connection lost, a channel error, a stall, close()). Its unconfirmed
   * publishes wait for the next channel, before anything newer: sent again with the same
   * message id. A channel error fails the publishes it names, with the broker's reason.
   */
  private onChannelClosed(channel: ConfirmChannel): void {
    if (this.channel === channel) this.channel = undefined;
    const error = this.channelError;
    this.channelError = undefined;
    const orphans = [...this.unconfirmed].filter((pending) => pending.channel === channel);
    for (const pending of orphans) {
      this.release(pending);
      pending.exposure = 'channel-closed';
    }
    if (error && isServerChannelError(error)) {
      const named = orphans.filter((pending) => channelErrorNamesExchange(error, pending.request.exchange));
      // When the error names none of them, it cannot be told which publish caused it: all fail with it.
      const failed = named.length > 0 ? named : orphans;
      for (const pending of failed) {
        this.fail(
          pending,
          new EnqueueError(`the broker closed the channel before confirming the publish to ${describeTarget(pending.request)}: ${error.message}`, {
            cause: error,
          }),
        );
      }
    }
    const again = orphans.filter((pending) => !pending.settled);
    if (again.length > 0) this.waiting = [...again, ...this.waiting];
    if (this.closed) return;
    // A live connection keeps working: open the next channel now (after a channel error, with backoff).
    if (this.connection.isConnected()) {
      if (error) this.reopenLater();
      else void this.openChannel();
    }
  }

  private reopenLater(): void {
    if (this.closed || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      void this.openChannel();
    }, this.connection.backoffDelay());
    this.reopenTimer.unref();
  }

  /** One timer for every publish: times out what passed its deadline, and replaces a stalled channel. */
  private startSweeping(): void {
    if (this.sweepTimer) return;
    const interval = Math.max(10, Math.min(250, Math.floor(Math.min(this.timeoutMs, this.stallMs) / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
  }

  private stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (const pending of this.unconfirmed) if (pending.deadline <= now) this.timeOut(pending);
    if (this.waiting.some((pending) => pending.deadline <= now || pending.settled)) {
      for (const pending of this.waiting) if (pending.deadline <= now) this.timeOut(pending);
      this.waiting = this.waiting.filter((pending) => !pending.settled);
    }
    const oldest = this.unconfirmed.values().next().value;
    if (oldest && this.channel && oldest.channel === this.channel && now - oldest.sentAt > this.stallMs && !this.connection.blockedReason) {
      this.logger.warn(
        { waitedMs: now - oldest.sentAt, unconfirmed: this.unconfirmed.size },
        'the broker stopped confirming on this channel; sending its publishes again on a new one',
      );
      const stalled = this.channel;
      this.channel = undefined;
      void stalled.close().catch(() => {});
    }
    if (this.unconfirmed.size === 0 && this.waiting.length === 0) this.stopSweeping();
  }

  private timeOut(pending: Pending): void {
    this.fail(
      pending,
      publishTimeoutError(pending.request, {
        timeoutMs: this.timeoutMs,
        exposure: pending.exposure,
        blockedReason: this.connection.blockedReason,
        setupError: this.setupError,
        connected: this.connection.isConnected(),
        endpoint: this.connection.endpoint,
        lastConnectError: this.lastConnectError,
      }),
    );
  }
}

export type { ReturnedMessage };
