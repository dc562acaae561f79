import type { ChannelModel } from 'amqplib';
import { connectFirst } from '../connect-first.js';
import { resolveAmqpUrls } from '../connection.js';
import { redactUrl } from '../../support/redact.js';
import { TopologyError } from '../../errors.js';
import type { ProbeConnection } from './channels.js';

/**
 * The broker plan/apply/verify talk to: an AMQP URL, or several separated by commas (a connection
 * to the first that answers is opened and closed
 * around the command), or a connection the caller owns (left open; e.g. one made with TLS options).
 */
export type BrokerTarget = string | ProbeConnection;

export interface BrokerTargetOptions {
  /** Passed to `amqplib.connect` when the target is a URL (TLS: ca, cert, key, servername...). Default: none. */
  socketOptions?: Record<string, unknown>;
}

export interface OpenBroker {
  connection: ProbeConnection;
  /** The URL without its password, or "the given connection". */
  description: string;
  /** "RabbitMQ 3.10.8" when the broker says. */
  serverVersion: string | undefined;
  /** The virtual host the URL names ("/" when it names none); undefined for a given connection. */
  vhost: string | undefined;
  close(): Promise<void>;
}

function serverVersionOf(connection: ProbeConnection): string | undefined {
  const properties = (connection as Partial<ChannelModel>).connection?.serverProperties;
  const version = properties?.version;
  return typeof version === 'string' ? `${typeof properties?.product === 'string' ? properties.product : 'RabbitMQ'} ${version}` : undefined;
}

/** The virtual host of an AMQP URL: its path, decoded; "/" when it has none (amqplib's default). */
function vhostOf(url: string): string {
  try {
    const path = new URL(url).pathname;
    return path.length > 1 ? decodeURIComponent(path.slice(1)) : '/';
  } catch {
    return '/';
  }
}

/** Opens the target; a URL that cannot be reached is a TopologyError naming it without its password. */
export async function openBroker(target: BrokerTarget, options: BrokerTargetOptions = {}): Promise<OpenBroker> {
  if (typeof target !== 'string') {
    return { connection: target, description: 'the given connection', serverVersion: serverVersionOf(target), vhost: undefined, close: async () => {} };
  }
  // A URL may name several nodes (`amqp://a,amqp://b`): the first that answers.
  let model: ChannelModel;
  let url: string;
  try {
    ({ connection: model, url } = await connectFirst(resolveAmqpUrls(target), () => ({
      ...options.socketOptions,
      clientProperties: { connection_name: 'warren topology' },
    })));
  } catch (error) {
    throw new TopologyError(error instanceof Error ? error.message : String(error));
  }
  const description = redactUrl(url);
  // A connection error while we work surfaces through the pending operation; do not crash on the event.
  model.on('error', () => {});
  return {
    connection: model,
    description,
    serverVersion: serverVersionOf(model),
    vhost: vhostOf(url),
    close: async () => {
      await model.close().catch(() => {});
    },
  };
}

/** Whether the broker compares and applies `x-consumer-timeout` (RabbitMQ 3.12 and later). */
export function brokerHonoursConsumerTimeout(serverVersion: string | undefined): boolean | undefined {
  const match = serverVersion ? /(\d+)\.(\d+)/.exec(serverVersion) : null;
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 3 || (major === 3 && minor >= 12);
}
