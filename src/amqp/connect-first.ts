import amqplib, { type ChannelModel } from 'amqplib';
import { redactText, redactUrl } from '../support/redact.js';

/** Why no address of a list could be reached: each one, redacted, with its reason. */
export class NoReachableBrokerError extends Error {
  constructor(readonly failures: readonly { node: string; reason: string }[]) {
    super(`cannot connect to the broker at ${failures.map(({ node, reason }) => `${node}: ${reason}`).join('; ')}`);
    this.name = 'NoReachableBrokerError';
  }
}

/**
 * A plain amqplib connection to the first address that answers, trying them in order: for the
 * short-lived readers and tools (dead letters, stats, topology) that do not reconnect. The
 * socket options are built per address (TLS depends on the URL).
 */
export async function connectFirst(
  urls: readonly string[],
  socketOptions: (url: string) => Record<string, unknown>,
): Promise<{ connection: ChannelModel; url: string }> {
  const failures: { node: string; reason: string }[] = [];
  for (const url of urls) {
    try {
      return { connection: await amqplib.connect(url, socketOptions(url)), url };
    } catch (error) {
      failures.push({ node: redactUrl(url), reason: redactText(error instanceof Error ? error.message : String(error)) });
    }
  }
  throw new NoReachableBrokerError(failures);
}
