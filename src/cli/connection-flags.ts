import type { Command } from 'commander';
import { resolveAmqpUrls, type AmqpConnectionOptions } from '../amqp/connection.js';
import { redactUrl } from '../support/redact.js';
import { DEFAULTS } from '../config/defaults.js';
import { tlsSocketOptions, type AmqpTlsOptions } from '../amqp/tls.js';

/** Flags every command that talks to the broker accepts. */
export interface ConnectionFlags {
  url?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServername?: string;
}

export function addConnectionFlags(command: Command): Command {
  return command
    .option(
      '--url <url>',
      `broker URL, or a cluster's node URLs separated by commas (default: $AMQP_URL, then ${redactUrl(DEFAULTS.amqp.url)}); never printed unredacted`,
    )
    .option('--tls-ca <file>', 'CA certificate (PEM) for amqps:// URLs')
    .option('--tls-cert <file>', 'client certificate (PEM) for amqps:// URLs')
    .option('--tls-key <file>', 'client key (PEM); its passphrase is read from $AMQP_TLS_PASSPHRASE')
    .option('--tls-servername <name>', 'host name to verify in the broker certificate (default: the URL host)');
}

export function connectionOptions(flags: ConnectionFlags): AmqpConnectionOptions {
  const tls: AmqpTlsOptions = {};
  if (flags.tlsCa) tls.ca = flags.tlsCa;
  if (flags.tlsCert) tls.cert = flags.tlsCert;
  if (flags.tlsKey) tls.key = flags.tlsKey;
  if (flags.tlsServername) tls.servername = flags.tlsServername;
  if (flags.tlsKey && process.env.AMQP_TLS_PASSPHRASE) tls.passphrase = process.env.AMQP_TLS_PASSPHRASE;
  const options: AmqpConnectionOptions = {};
  if (flags.url) options.url = flags.url;
  if (Object.keys(tls).length > 0) options.tls = tls;
  return options;
}

/** The broker URL and TLS socket options for a short-lived amqplib connection, from the same flags and environment the worker reads. */
export function brokerTarget(flags: ConnectionFlags): { url: string; socketOptions: Record<string, unknown> } {
  const options = connectionOptions(flags);
  // Every address, comma-separated (openBroker takes the first that answers); TLS as the first one needs it.
  const urls = resolveAmqpUrls(options.url);
  return { url: urls.join(','), socketOptions: { ...(tlsSocketOptions(urls[0] as string, options.tls) ?? {}), noDelay: true } };
}
