import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';

/** A PEM value, or several (CA bundles). Strings that do not look like PEM are read as file paths. */
export type PemInput = string | Buffer | ReadonlyArray<string | Buffer>;

/**
 * TLS settings for `amqps://` URLs. warren never falls back to plaintext: TLS options
 * with an `amqp://` URL are a ConfigurationError, and a failed handshake is an error, not a retry in the clear.
 */
export interface AmqpTlsOptions {
  /** CA certificate(s) that signed the broker's certificate. Default: Node's bundled CAs. */
  ca?: PemInput;
  /** Client certificate for mutual TLS. Default: none. */
  cert?: PemInput;
  /** Private key of the client certificate. Default: none. */
  key?: PemInput;
  /** Passphrase of the private key. Default: none. Never logged. */
  passphrase?: string;
  /** Host name checked against the broker's certificate (SNI). Default: the URL's host name. */
  servername?: string;
  /**
   * Verify the broker's certificate. Default: true. Setting false is logged as a warning
   * on every connection: it allows a man in the middle.
   */
  rejectUnauthorized?: boolean;
}

/** The socket options amqplib passes to `tls.connect`. */
export interface TlsSocketOptions {
  ca?: Array<string | Buffer>;
  cert?: Array<string | Buffer>;
  key?: Array<string | Buffer>;
  passphrase?: string;
  /** Absent for an IP-address host (SNI cannot name one). */
  servername?: string;
  rejectUnauthorized: boolean;
}

function readPem(value: PemInput | undefined, what: string): Array<string | Buffer> | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value as string | Buffer];
  return values.map((item) => {
    if (Buffer.isBuffer(item) || item.includes('-----BEGIN')) return item;
    try {
      return readFileSync(item);
    } catch (error) {
      throw new ConfigurationError(`cannot read TLS ${what} file "${item}": ${(error as Error).message}`);
    }
  });
}

/**
 * Checks the URL scheme against the TLS options and builds the socket options.
 * Returns undefined for a plaintext URL without TLS options.
 */
export function tlsSocketOptions(url: string, tls: AmqpTlsOptions | undefined): TlsSocketOptions | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError('the AMQP URL is not a valid URL (expected amqp://user:pass@host:5672/vhost or amqps://...)');
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ConfigurationError(`the AMQP URL must start with amqp:// or amqps://, not ${parsed.protocol}//`);
  }
  if (parsed.protocol === 'amqp:') {
    if (tls && Object.keys(tls).length > 0) {
      throw new ConfigurationError('TLS options were given for a plaintext amqp:// URL; use amqps:// (warren never falls back to plaintext)');
    }
    return undefined;
  }
  const options: TlsSocketOptions = { rejectUnauthorized: tls?.rejectUnauthorized ?? true };
  // SNI names a host: Node 25+ refuses an IP address there. The certificate is still verified
  // against the IP (Node checks the connection's host when no servername is set).
  const servername = tls?.servername ?? (isIP(parsed.hostname.replace(/^\[|\]$/g, '')) === 0 ? parsed.hostname : undefined);
  if (servername !== undefined) options.servername = servername;
  const ca = readPem(tls?.ca, 'CA');
  const cert = readPem(tls?.cert, 'certificate');
  const key = readPem(tls?.key, 'key');
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (tls?.passphrase !== undefined) options.passphrase = tls.passphrase;
  return options;
}
