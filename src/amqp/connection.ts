import { hostname } from 'node:os';
import { componentLogger } from '../config/logger.js';
import { AmqpConnectionManagerClass, type ChannelWrapper, type CreateChannelOpts } from 'amqp-connection-manager';
import type { ChannelModel } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
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
  /**
   * Broker URL, or the addresses of a cluster's nodes: a list, or one string with several
   * separated by commas (as AMQP_URL may be). Connections try them in order and, when one is
   * lost or cannot be reached, go on to the next (round robin), each connection on its own.
   * Default: `process.env.AMQP_URL`, then DEFAULTS.amqp.url. Never logged unredacted.
   */
  url?: AmqpUrl | undefined;
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

/** One broker URL, or several (the nodes of a cluster). */
export type AmqpUrl = string | readonly string[];

/** Splits `amqp://a,amqp://b`: a comma followed by a scheme starts the next address. */
const URL_SEPARATOR = /\s*,\s*(?=amqps?:\/\/)/i;

/** The broker addresses in effect, in order: explicit option, then AMQP_URL, then the default. */
export function resolveAmqpUrls(url?: AmqpUrl): string[] {
  const given = url ?? (process.env.AMQP_URL || undefined) ?? DEFAULTS.amqp.url;
  const urls = (typeof given === 'string' ? [given] : [...given]).flatMap((entry) => entry.trim().split(URL_SEPARATOR)).filter((entry) => entry !== '');
  if (urls.length === 0) throw new ConfigurationError('no broker URL: give url (or AMQP_URL) one address or several, separated by commas');
  return urls;
}

/** The first broker address in effect (see resolveAmqpUrls). */
export function resolveAmqpUrl(url?: AmqpUrl): string {
  return resolveAmqpUrls(url)[0] as string;
}

/** Every address, redacted, for messages. */
export function describeAmqpUrls(url?: AmqpUrl): string {
  try {
    return resolveAmqpUrls(url).map(redactUrl).join(', ');
  } catch {
    return '(no broker URL)'; // shown by toJSON and inspect, which must not throw; connecting says why
  }
}

/**
 * One AMQP connection (amqp-connection-manager over amqplib) with heartbeats, reconnect
 * with exponential backoff, TLS, redacted logs and events, and the broker's
 * blocked/unblocked state.
 */
export class AmqpConnection {
  readonly events = new TypedEmitter<ConnectionEvents>();
  /** The redacted address (all of them, comma-separated, when there are several), for messages. */
  readonly endpoint: string;
  /** The redacted address of the node connected to now (undefined while disconnected). */
  private connectedNode: string | undefined;
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
    const urls = resolveAmqpUrls(options.url);
    this.role = role;
    this.endpoint = urls.map(redactUrl).join(', ');
    this.logger = componentLogger(options.logger ?? settings().logger, 'amqp', { role, endpoint: this.endpoint });
    this.minDelayMs = options.reconnectMinMs ?? DEFAULTS.amqp.reconnectMinMs;
    this.maxDelayMs = options.reconnectMaxMs ?? DEFAULTS.amqp.reconnectMaxMs;
    this.delayMs = this.minDelayMs;
    const clientProperties = { connection_name: options.connectionName ?? `warren ${role} ${hostname()}:${process.pid}` };
    // Per address: TLS options depend on the URL (amqps:// or not, its host for verification).
    const addresses = urls.map((url) => {
      const tls = tlsSocketOptions(url, options.tls);
      if (tls && !tls.rejectUnauthorized) {
        this.logger.warn({ node: redactUrl(url) }, 'TLS certificate verification is off (rejectUnauthorized: false): the broker is not authenticated');
      }
      // Nagle's algorithm off: with it on, a confirm or delivery waits for the next packet and
      // each delayed job's TTL hop measured 15-40 ms late instead of about 2 ms.
      return { url, connectionOptions: { ...(tls ?? {}), noDelay: true, clientProperties } };
    });
    this.manager = new AmqpConnectionManagerClass(addresses, {
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? DEFAULTS.amqp.heartbeatSeconds,
      reconnectTimeInSeconds: this.minDelayMs / 1000,
    });
    this.listen();
    this.manager.connect().catch(() => {
      // Failures are reported through connectFailed; the manager keeps retrying.
    });
  }

  /** The redacted address of the node this connection is on now, or of all of them while disconnected. */
  get node(): string {
    return this.connectedNode ?? this.endpoint;
  }

  private listen(): void {
    const role = this.role;
    /** The redacted address in an event of the manager (it carries the raw URL: never forward that). */
    const nodeOf = (url: unknown): string | undefined => {
      const raw = typeof url === 'string' ? url : (url as { url?: unknown } | undefined)?.url;
      return typeof raw === 'string' ? redactUrl(raw) : undefined;
    };
    this.manager.on('connect', ({ url }: { url: unknown }) => {
      this.lastFailure = undefined;
      this.delayMs = this.minDelayMs;
      this.manager.reconnectTimeInSeconds = this.minDelayMs / 1000;
      this.blocked = undefined;
      this.connectedNode = nodeOf(url) ?? this.endpoint;
      this.logger.info({ node: this.connectedNode }, 'connected to the broker');
      this.events.emit('connection:connect', { role, endpoint: this.connectedNode });
    });
    this.manager.on('connectFailed', ({ err, url }: { err: Error; url: unknown }) => {
      const error = redactError(err);
      const retryInMs = this.nextDelay();
      const permanent = connectFailureKind(error) !== 'unreachable';
      const node = nodeOf(url) ?? this.endpoint;
      // One line per attempt, in words, without a stack (the stack only at debug): a refused
      // login says so at error level once, then quietly while it goes on being retried.
      const said = describeConnectFailure(node, error);
      const fields = this.logger.isLevelEnabled('debug') ? { err: error, retryInMs } : { retryInMs };
      if (!permanent) this.logger.warn(fields, `cannot connect: ${said}; retrying in ${retryInMs} ms`);
      else if (this.lastFailure !== said) this.logger.error(fields, `cannot connect: ${said}; retrying will not help until that is fixed`);
      else this.logger.debug(fields, `cannot connect: ${said}; retrying`);
      this.lastFailure = said;
      this.events.emit('connection:failed', { role, endpoint: node, error, retryInMs, permanent });
    });
    this.manager.on('disconnect', ({ err }: { err?: Error }) => {
      this.blocked = undefined;
      const error = err ? redactError(err) : undefined;
      const node = this.node;
      this.connectedNode = undefined;
      if (!this.closing) this.logger.warn({ err: error, node }, 'disconnected from the broker; reconnecting');
      this.events.emit('connection:disconnect', { role, endpoint: node, error });
    });
    this.manager.on('blocked', ({ reason }: { reason: string }) => {
      this.blocked = reason;
      this.logger.warn({ reason, node: this.node }, 'the broker blocked this connection (resource alarm): publishes wait until it unblocks');
      this.events.emit('connection:blocked', { role, endpoint: this.node, reason });
    });
    this.manager.on('unblocked', () => {
      this.blocked = undefined;
      this.logger.info({ node: this.node }, 'the broker unblocked this connection');
      this.events.emit('connection:unblocked', { role, endpoint: this.node });
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
