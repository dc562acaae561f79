import { hostname } from 'node:os';
import { componentLogger } from '../config/logger.js';
import { AmqpConnectionManagerClass, type ChannelWrapper, type CreateChannelOpts } from 'amqp-connection-manager';
import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { settings } from '../config/configuration.js';
import { connectFailureKind, describeConnectFailure } from './connect-failure.js';
import { redactError, redactUrl } from '../support/redact.js';
import { settleWithin } from './settle-within.js';
import { tlsSocketOptions, type AmqpTlsOptions } from './tls.js';
import { TypedEmitter } from '../support/typed-emitter.js';

/** What a connection is for: publishers and consumers never share one (a blocked publisher must not stop consumers). */
export type ConnectionRole = 'publish' | 'consume';

/** Options shared by everything that opens AMQP connections (adapter, worker, CLI). */
export interface AmqpConnectionOptions {
  /** Broker URL. Default: `process.env.AMQP_URL`, then DEFAULTS.amqp.url. Never logged unredacted. */
  url?: string | undefined;
  /** TLS settings for `amqps://` URLs. Default: none (Node's CAs, host name verification on). */
  tls?: AmqpTlsOptions;
  /** Heartbeat interval in seconds. Default: DEFAULTS.amqp.heartbeatSeconds. */
  heartbeatSeconds?: number;
  /** First reconnect delay; doubles (with jitter) on each failed attempt. Default: DEFAULTS.amqp.reconnectMinMs. */
  reconnectMinMs?: number;
  /** Ceiling of the reconnect delay. Default: DEFAULTS.amqp.reconnectMaxMs. */
  reconnectMaxMs?: number;
  /** Default: settings().logger. */
  logger?: Logger;
  /** Shown in the broker's connection list. Default: `warren <role> <host>:<pid>`. */
  connectionName?: string;
}

/** Connection events. Every URL and error in them is redacted. */
export interface ConnectionEvents {
  [event: string]: unknown;
  'connection:connect': { role: ConnectionRole; endpoint: string };
  'connection:disconnect': { role: ConnectionRole; endpoint: string; error: Error | undefined };
  /** `permanent`: a refused login or failed TLS verification, which retrying will not fix (see connectFailureKind). */
  'connection:failed': { role: ConnectionRole; endpoint: string; error: Error; retryInMs: number; permanent: boolean };
  'connection:blocked': { role: ConnectionRole; endpoint: string; reason: string };
  'connection:unblocked': { role: ConnectionRole; endpoint: string };
}

/** The broker URL in effect: explicit option, then AMQP_URL, then the default. */
export function resolveAmqpUrl(url?: string): string {
  return url ?? process.env.AMQP_URL ?? DEFAULTS.amqp.url;
}

/**
 * One AMQP connection (amqp-connection-manager over amqplib) with heartbeats, reconnect
 * with exponential backoff, TLS, redacted logs and events, and the broker's
 * blocked/unblocked state.
 */
export class AmqpConnection {
  readonly events = new TypedEmitter<ConnectionEvents>();
  /** The redacted URL, for messages. */
  readonly endpoint: string;
  readonly role: ConnectionRole;
  private readonly manager: AmqpConnectionManagerClass;
  private readonly logger: Logger;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private delayMs: number;
  private blocked: string | undefined;
  private closing = false;
  private forcedReconnect: NodeJS.Timeout | undefined;
  /** The last connect failure logged, in words: a refused login is said at error level once. */
  private lastFailure: string | undefined;

  constructor(role: ConnectionRole, options: AmqpConnectionOptions = {}) {
    const url = resolveAmqpUrl(options.url);
    const tls = tlsSocketOptions(url, options.tls);
    this.role = role;
    this.endpoint = redactUrl(url);
    this.logger = componentLogger(options.logger ?? settings().logger, 'amqp', { role, endpoint: this.endpoint });
    this.minDelayMs = options.reconnectMinMs ?? DEFAULTS.amqp.reconnectMinMs;
    this.maxDelayMs = options.reconnectMaxMs ?? DEFAULTS.amqp.reconnectMaxMs;
    this.delayMs = this.minDelayMs;
    if (tls && !tls.rejectUnauthorized) {
      this.logger.warn('TLS certificate verification is off (rejectUnauthorized: false): the broker is not authenticated');
    }
    this.manager = new AmqpConnectionManagerClass([url], {
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? DEFAULTS.amqp.heartbeatSeconds,
      reconnectTimeInSeconds: this.minDelayMs / 1000,
      connectionOptions: {
        ...(tls ?? {}),
        // Nagle's algorithm off: with it on, a confirm or delivery waits for the next packet and
        // each delayed job's TTL hop measured 15-40 ms late instead of about 2 ms.
        noDelay: true,
        clientProperties: {
          connection_name: options.connectionName ?? `warren ${role} ${hostname()}:${process.pid}`,
        },
      },
    });
    this.listen();
    this.manager.connect().catch(() => {
      // Failures are reported through connectFailed; the manager keeps retrying.
    });
  }

  private listen(): void {
    const endpoint = this.endpoint;
    const role = this.role;
    this.manager.on('connect', () => {
      this.lastFailure = undefined;
      this.delayMs = this.minDelayMs;
      this.manager.reconnectTimeInSeconds = this.minDelayMs / 1000;
      this.blocked = undefined;
      this.logger.info('connected to the broker');
      this.events.emit('connection:connect', { role, endpoint });
    });
    // The raw event carries the unredacted URL: never forward it.
    this.manager.on('connectFailed', ({ err }: { err: Error }) => {
      const error = redactError(err);
      const retryInMs = this.nextDelay();
      const permanent = connectFailureKind(error) !== 'unreachable';
      // One line per attempt, in words, without a stack (the stack only at debug): a refused
      // login says so at error level once, then quietly while it goes on being retried.
      const said = describeConnectFailure(endpoint, error);
      const fields = this.logger.isLevelEnabled('debug') ? { err: error, retryInMs } : { retryInMs };
      if (!permanent) this.logger.warn(fields, `cannot connect: ${said}; retrying in ${retryInMs} ms`);
      else if (this.lastFailure !== said) this.logger.error(fields, `cannot connect: ${said}; retrying will not help until that is fixed`);
      else this.logger.debug(fields, `cannot connect: ${said}; retrying`);
      this.lastFailure = said;
      this.events.emit('connection:failed', { role, endpoint, error, retryInMs, permanent });
    });
    this.manager.on('disconnect', ({ err }: { err?: Error }) => {
      this.blocked = undefined;
      const error = err ? redactError(err) : undefined;
      if (!this.closing) this.logger.warn({ err: error }, 'disconnected from the broker; reconnecting');
      this.events.emit('connection:disconnect', { role, endpoint, error });
    });
    this.manager.on('blocked', ({ reason }: { reason: string }) => {
      this.blocked = reason;
      this.logger.warn({ reason }, 'the broker blocked this connection (resource alarm): publishes wait until it unblocks');
      this.events.emit('connection:blocked', { role, endpoint, reason });
    });
    this.manager.on('unblocked', () => {
      this.blocked = undefined;
      this.logger.info('the broker unblocked this connection');
      this.events.emit('connection:unblocked', { role, endpoint });
    });
  }

  /** Doubles the reconnect delay (with ±20% jitter, up to the maximum) and returns it. */
  private nextDelay(): number {
    const current = this.delayMs;
    this.delayMs = Math.min(this.maxDelayMs, this.delayMs * 2);
    const jittered = Math.round(current * (0.8 + Math.random() * 0.4));
    this.manager.reconnectTimeInSeconds = Math.max(jittered, 1) / 1000;
    return jittered;
  }

  /** A channel that is re-created (and its setup re-run) on every reconnect. */
  createChannel(options: CreateChannelOpts): ChannelWrapper {
    return this.manager.createChannel(options);
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  /** The live amqplib connection, for short-lived side channels; undefined while disconnected. */
  get current(): ChannelModel | undefined {
    return this.manager.connection;
  }

  /** The reason the broker gave for blocking this connection, while it is blocked. */
  get blockedReason(): string | undefined {
    return this.blocked;
  }

  /**
   * Drops and re-opens the connection after `delayMs`. Used after a channel-level error
   * (404, 406...), because amqp-connection-manager re-creates channels only on reconnect.
   */
  reconnectAfter(delayMs: number): void {
    if (this.closing || this.forcedReconnect) return;
    this.forcedReconnect = setTimeout(() => {
      this.forcedReconnect = undefined;
      if (this.closing) return;
      try {
        this.manager.reconnect();
      } catch (error) {
        this.logger.warn({ err: redactError(error) }, 'reconnect failed');
      }
    }, delayMs);
    this.forcedReconnect.unref();
  }

  /** The delay before the next forced reconnect, growing like the connect backoff. */
  backoffDelay(): number {
    return this.nextDelay();
  }

  /** Closes channels and the connection. Settles within `timeoutMs` even if the broker does not answer. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.forcedReconnect) clearTimeout(this.forcedReconnect);
    try {
      await settleWithin(this.manager.close(), timeoutMs);
    } finally {
      this.events.removeAllListeners();
    }
  }
}
