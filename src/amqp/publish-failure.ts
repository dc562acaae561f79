import { EnqueueError, UnroutableError } from '../errors.js';
import { describeConnectFailure } from './connect-failure.js';
import type { ReturnedMessage } from './returns.js';

/**
 * How far a publish got, for the words of its error: nothing went out (`none`: the job was not
 * enqueued), it went out and was not confirmed (`unconfirmed`: a blocked broker reads it later, a
 * busy one may have enqueued it), or a copy went out on a channel that closed before confirming.
 */
export type Exposure = 'none' | 'unconfirmed' | 'channel-closed';

const OUTCOMES: Readonly<Record<Exposure, string>> = {
  none: 'the job was not enqueued',
  unconfirmed: 'it was sent, so the job may or may not have been enqueued',
  'channel-closed': 'a copy sent before the connection dropped may still have been enqueued',
};

export interface PublishTarget {
  exchange: string;
  routingKey: string;
}

export function describeTarget(target: PublishTarget): string {
  return `exchange "${target.exchange}" with routing key "${target.routingKey}"`;
}

/** What the publisher knew when a publish ran out of time: the words of its EnqueueError come from it. */
export interface TimeoutContext {
  timeoutMs: number;
  exposure: Exposure;
  blockedReason: string | undefined;
  setupError: Error | undefined;
  connected: boolean;
  endpoint: string;
  lastConnectError: Error | undefined;
}

export function publishTimeoutError(target: PublishTarget, context: TimeoutContext): EnqueueError {
  const head = `publish to ${describeTarget(target)} timed out within ${context.timeoutMs} ms`;
  const outcome = OUTCOMES[context.exposure];
  if (context.blockedReason) {
    const blocked =
      context.exposure === 'none'
        ? 'the job was not enqueued'
        : 'it was sent before the broker blocked the connection, so the broker may still enqueue it when the alarm clears';
    return new EnqueueError(`${head}: the broker has blocked publishing (${context.blockedReason}); ${blocked}`);
  }
  if (context.setupError) return new EnqueueError(`${head}: the topology could not be declared: ${context.setupError.message}; ${outcome}`);
  if (!context.connected) return new EnqueueError(`${head}: ${describeConnectFailure(context.endpoint, context.lastConnectError)}; ${outcome}`);
  return new EnqueueError(`${head}: the broker did not confirm it; the job may or may not have been enqueued`);
}

export function unroutableError(returned: ReturnedMessage): UnroutableError {
  return new UnroutableError(
    `unroutable job: no queue is bound to exchange "${returned.exchange}" for routing key "${returned.routingKey}" ` +
      `(the broker returned it: ${returned.replyCode} ${returned.replyText}); check the topology's bindings`,
  );
}

/** A server-side close code (404, 406...) on an error amqplib raised for a channel. */
export function isServerChannelError(error: unknown): boolean {
  return typeof (error as { code?: unknown } | undefined)?.code === 'number';
}

/**
 * Whether a channel error was caused by publishing to `exchange`. RabbitMQ closes the channel
 * of a publish to a missing exchange with `404 NOT_FOUND - no exchange 'x' in vhost '/'`, and
 * the close frame names no publish: its text is the only link between the two. The publishes
 * to other exchanges that were on the channel are sent again rather than failed with it.
 */
export function channelErrorNamesExchange(error: Error, exchange: string): boolean {
  return error.message.includes(`exchange '${exchange}'`);
}
