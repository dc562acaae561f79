import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, Options } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { EnqueueError, TopologyError, UnroutableError } from '../errors.js';
import type { AmqpConnection } from './connection.js';
import { describeConnectFailure } from './connect-failure.js';
import { redactError } from './redact.js';
import { ReturnTracker, type ReturnedMessage } from './returns.js';
import { settleWithin } from './settle-within.js';

/** One message to publish. `properties.messageId` is required: returns are matched by it. */
export interface PublishRequest {
  exchange: string;
  routingKey: string;
  content: Buffer;
  /** This publish's own object: the publisher sets persistent, mandatory and its timeout on it. */
  properties: Options.Publish & { messageId: string };
}

export interface ConfirmPublisherOptions {
  /** Runs on every new channel before anything is published (topology assertion). */
  setup: (channel: ConfirmChannel) => Promise<void>;
  /** Every publish settles within this time. Default: DEFAULTS.amqp.publishTimeoutMs. */
  publishTimeoutMs?: number;
  /** Publishes again after a broker nack this many times, then fails. Default: DEFAULTS.amqp.publishNackRetries. */
  publishNackRetries?: number;
  logger: Logger;
}

type FailureKind = 'timeout' | 'nacked' | 'channel-closed' | 'publisher-closed' | 'other';

/**
 * How far a publish got, for the words of its timeout error: nothing went out (`none`: the
 * job was not enqueued), it went out and was not confirmed (`unconfirmed`: a blocked broker
 * reads it later, a busy one may have enqueued it), or a copy was on a channel that closed.
 */
type Exposure = 'none' | 'unconfirmed' | 'channel-closed';

const OUTCOMES: Readonly<Record<Exposure, string>> = {
  none: 'the job was not enqueued',
  unconfirmed: 'it was sent, so the job may or may not have been enqueued',
  'channel-closed': 'a copy sent before the connection dropped may still have been enqueued',
};

// amqplib and amqp-connection-manager report these only as plain Errors; this is the one place that reads their text.
function classify(error: unknown): FailureKind {
  const message = error instanceof Error ? error.message : '';
  if (message === 'timeout') return 'timeout';
  if (message === 'message nacked') return 'nacked';
  if (message === 'channel closed') return 'channel-closed';
  if (message === 'Channel closed') return 'publisher-closed';
  return 'other';
}

/** A server-side close code (404, 406...) on an error amqplib raised for a channel. */
function isServerChannelError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | undefined)?.code === 'number';
}

function describeTarget(request: PublishRequest): string {
  return `exchange "${request.exchange}" with routing key "${request.routingKey}"`;
}

/**
 * Publishes on a confirm channel and settles every publish: resolved only after the
 * broker confirmed it (and did not return it as unroutable), rejected with EnqueueError
 * otherwise, always within the publish timeout. Persistent and `mandatory` on every
 * message. A nack is retried; a connection loss before the confirm publishes again on
 * the new connection (at-least-once: the broker may then hold two copies); a channel
 * error (404, 406...) fails the publishes on that channel with the broker's reason.
 */
export class ConfirmPublisher {
  private readonly wrapper: ChannelWrapper;
  private readonly returns = new ReturnTracker();
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly nackRetries: number;
  /** The broker's reason for closing the last channel, until a new channel is set up. */
  private channelError: Error | undefined;
  /** Set while the topology cannot be declared; new publishes fail at once. */
  private setupError: Error | undefined;
  private lastConnectError: Error | undefined;
  /** Connections made so far: a publish that saw it change knows its message may have gone out. */
  private connects = 0;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConfirmPublisherOptions,
  ) {
    this.logger = options.logger;
    this.timeoutMs = options.publishTimeoutMs ?? DEFAULTS.amqp.publishTimeoutMs;
    this.nackRetries = options.publishNackRetries ?? DEFAULTS.amqp.publishNackRetries;
    connection.events.on('connection:failed', ({ error }) => (this.lastConnectError = error));
    connection.events.on('connection:connect', () => {
      this.lastConnectError = undefined;
      this.connects += 1;
    });
    this.wrapper = connection.createChannel({
      name: 'warren-publisher',
      confirm: true,
      setup: (channel: ConfirmChannel) => this.setup(channel),
    });
    this.wrapper.on('error', (error: unknown) => {
      this.logger.warn({ err: redactError(error) }, 'publisher channel error');
    });
  }

  private async setup(channel: ConfirmChannel): Promise<void> {
    this.channelError = undefined;
    channel.on('error', (error: unknown) => {
      this.channelError = redactError(error);
      this.logger.error({ err: this.channelError }, 'the broker closed the publishing channel');
    });
    channel.on('return', (message) => this.returns.onReturn(message));
    channel.on('close', () => {
      // amqp-connection-manager re-creates channels only on reconnect: after a channel
      // error on a live connection, reconnect (with backoff, so a broken topology is no busy loop).
      if (this.channelError && !this.closed && this.connection.isConnected()) {
        this.connection.reconnectAfter(this.connection.backoffDelay());
      }
    });
    try {
      await this.options.setup(channel);
      if (this.setupError) this.logger.info('topology declared; publishing resumes');
      this.setupError = undefined;
    } catch (error) {
      if (!isServerChannelError(error) && !(error instanceof TopologyError)) return;
      this.setupError = redactError(error);
      const retryInMs = this.connection.backoffDelay();
      this.logger.error(
        { err: this.setupError, retryInMs },
        'cannot declare the topology on the broker; publishes fail until it can (run `warren topology verify`)',
      );
      // Setup runs again only on a new connection: reconnect later, so a fixed broker is picked up.
      this.connection.reconnectAfter(retryInMs);
    }
  }

  /** Resolves once the broker confirmed the message; rejects with EnqueueError. */
  async publish(request: PublishRequest): Promise<void> {
    if (this.closed) throw new EnqueueError(`cannot publish to ${describeTarget(request)}: the publisher is closed`);
    if (this.setupError) {
      throw new EnqueueError(
        `cannot publish to ${describeTarget(request)}: the topology could not be declared: ${this.setupError.message}`,
        { cause: this.setupError },
      );
    }
    const deadline = Date.now() + this.timeoutMs;
    let nacks = 0;
    let exposure: Exposure = 'none';
    for (;;) {
      if (this.connection.blockedReason) await this.waitWhileBlocked(request, deadline, () => exposure);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.timeoutError(request, exposure);
      const tracked = this.returns.track(request.properties.messageId);
      // Handed to a live connection, or buffered until one comes up, the message goes out on the
      // socket: from then on a timeout cannot say it was not enqueued (a blocked broker reads it later).
      // (A connect counter rather than a listener per publish: with thousands of publishes in
      // flight, adding and removing listeners was quadratic.)
      const connectsBefore = this.connects;
      if (exposure === 'none' && this.connection.isConnected()) exposure = 'unconfirmed';
      try {
        // The request's properties are the publish's own (see PublishRequest): set, not copied.
        const options = request.properties as Options.Publish & { timeout?: number };
        options.persistent = true;
        options.mandatory = true;
        options.timeout = remaining;
        await this.wrapper.publish(request.exchange, request.routingKey, request.content, options);
      } catch (error) {
        this.returns.release(tracked);
        if (exposure === 'none' && this.connects !== connectsBefore) exposure = 'unconfirmed';
        const kind = classify(error);
        if (kind === 'timeout') throw this.timeoutError(request, exposure);
        if (kind === 'nacked') {
          nacks += 1;
          if (nacks <= this.nackRetries) continue;
          throw new EnqueueError(`the broker refused (nacked) ${describeTarget(request)} ${nacks} times`);
        }
        if (kind === 'channel-closed') exposure = 'channel-closed';
        if (kind === 'channel-closed' && !this.channelError && !this.closed) continue;
        if (kind === 'channel-closed' && this.channelError) {
          throw new EnqueueError(
            `the broker closed the channel before confirming the publish to ${describeTarget(request)}: ${this.channelError.message}`,
            { cause: this.channelError },
          );
        }
        if (kind === 'publisher-closed' || this.closed) {
          throw new EnqueueError(`the publisher closed before the broker confirmed ${describeTarget(request)}`);
        }
        const safe = redactError(error);
        throw new EnqueueError(`publish to ${describeTarget(request)} failed: ${safe.message}`, { cause: safe });
      }
      this.returns.release(tracked);
      if (tracked.returned) throw unroutableError(tracked.returned);
      return;
    }
  }

  /** While the broker blocks the connection, hold the publish back (it could not be confirmed anyway). */
  private async waitWhileBlocked(request: PublishRequest, deadline: number, exposure: () => Exposure): Promise<void> {
    if (!this.connection.blockedReason) return;
    await new Promise<void>((resolve, reject) => {
      const onUnblocked = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.connection.events.off('connection:unblocked', onUnblocked);
        reject(this.timeoutError(request, exposure()));
      }, Math.max(0, deadline - Date.now()));
      this.connection.events.once('connection:unblocked', onUnblocked);
    });
  }

  private timeoutError(request: PublishRequest, exposure: Exposure): EnqueueError {
    const within = `within ${this.timeoutMs} ms`;
    const target = describeTarget(request);
    if (this.connection.blockedReason) {
      const outcome =
        exposure === 'none'
          ? 'the job was not enqueued'
          : 'it was sent before the broker blocked the connection, so the broker may still enqueue it when the alarm clears';
      return new EnqueueError(`publish to ${target} timed out ${within}: the broker has blocked publishing (${this.connection.blockedReason}); ${outcome}`);
    }
    const outcome = OUTCOMES[exposure];
    if (this.setupError) {
      return new EnqueueError(`publish to ${target} timed out ${within}: the topology could not be declared: ${this.setupError.message}; ${outcome}`);
    }
    if (!this.connection.isConnected()) {
      return new EnqueueError(`publish to ${target} timed out ${within}: ${describeConnectFailure(this.connection.endpoint, this.lastConnectError)}; ${outcome}`);
    }
    return new EnqueueError(`publish to ${target} timed out ${within}: the broker did not confirm it; the job may or may not have been enqueued`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await settleWithin(this.wrapper.close(), 5_000);
  }
}

function unroutableError(returned: ReturnedMessage): UnroutableError {
  return new UnroutableError(
    `unroutable job: no queue is bound to exchange "${returned.exchange}" for routing key "${returned.routingKey}" ` +
      `(the broker returned it: ${returned.replyCode} ${returned.replyText}); check the topology's bindings`,
  );
}
