import type { Options } from 'amqplib';
import type { Envelope } from '../envelope/envelope.js';
import { WARREN_VERSION } from './version.js';

/** Headers warren writes on every job message. None starts with `x-death` (the broker's own). */
export const HEADERS = Object.freeze({
  version: 'x-warren-version',
  /** The envelope's queue_name, so a message can be traced back even after dead-lettering. */
  queue: 'x-warren-queue',
  /**
   * The envelope's `executions` when it was published: how many times perform has started
   * before. Attempts are counted here and in the envelope, never by copying `x-death`.
   */
  executions: 'x-warren-executions',
  /** Dead letters (see amqp/dead-letter.ts). */
  reason: 'x-warren-reason',
  errorClass: 'x-warren-error-class',
  errorMessage: 'x-warren-error-message',
  originalQueue: 'x-warren-original-queue',
  originalExchange: 'x-warren-original-exchange',
  originalRoutingKey: 'x-warren-original-routing-key',
  deadAt: 'x-warren-dead-at',
});

/**
 * AMQP properties of a job message: messageId = job id, type = job class, the codec's
 * content type, a timestamp (seconds, as AMQP defines it), the broker priority when the
 * queue has one, persistent delivery, and the warren version, queue and executions headers.
 */
export function jobMessageProperties(
  envelope: Envelope,
  contentType: string,
  brokerPriority: number | undefined,
  extraHeaders: Record<string, string | number | boolean> = {},
): Options.Publish & { messageId: string } {
  const properties: Options.Publish & { messageId: string } = {
    messageId: envelope.job_id,
    type: envelope.job_class,
    contentType,
    timestamp: Math.floor(Date.now() / 1000),
    persistent: true,
    appId: 'warren',
    headers: {
      ...extraHeaders,
      [HEADERS.version]: WARREN_VERSION,
      [HEADERS.queue]: envelope.queue_name,
      [HEADERS.executions]: envelope.executions,
    },
  };
  if (brokerPriority !== undefined) properties.priority = brokerPriority;
  return properties;
}
