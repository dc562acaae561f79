import type { Options } from 'amqplib';
import type { Envelope } from '../envelope/envelope.js';
import { WARREN_VERSION } from './version.js';

/**
 * Headers warren writes on job messages. None starts with `x-`: RabbitMQ reserves that prefix
 * (4.x ignores client-set `x-death` and treats `x-` headers as broker annotations).
 */
export const HEADERS = Object.freeze({
  version: 'warren-version',
  /** The envelope's queue_name, so a message can be traced back even after dead-lettering. */
  queue: 'warren-queue',
  /**
   * The envelope's `executions` when it was published: how many times perform has started
   * before. Attempts are counted here and in the envelope, never by copying `x-death`.
   */
  executions: 'warren-executions',
  /** Dead letters (see amqp/dead-letter.ts). */
  reason: 'warren-reason',
  errorClass: 'warren-error-class',
  errorMessage: 'warren-error-message',
  originalQueue: 'warren-original-queue',
  originalExchange: 'warren-original-exchange',
  originalRoutingKey: 'warren-original-routing-key',
  deadAt: 'warren-dead-at',
  /** Signed envelopes (see amqp/signing.ts): `hmac-sha256=<hex>` of the body, and the id of the key. */
  signature: 'warren-signature',
  signatureKey: 'warren-signature-key',
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
  extraHeaders?: Record<string, string | number | boolean>,
): Options.Publish & { messageId: string } {
  // Extra headers first, warren's own over them; built without spreads (one call per job).
  const headers: Record<string, unknown> = extraHeaders ? Object.assign({}, extraHeaders) : {};
  headers[HEADERS.version] = WARREN_VERSION;
  headers[HEADERS.queue] = envelope.queue_name;
  headers[HEADERS.executions] = envelope.executions;
  const properties: Options.Publish & { messageId: string } = {
    messageId: envelope.job_id,
    type: envelope.job_class,
    contentType,
    timestamp: Math.floor(Date.now() / 1000),
    persistent: true,
    appId: 'warren',
    headers,
  };
  if (brokerPriority !== undefined) properties.priority = brokerPriority;
  return properties;
}
