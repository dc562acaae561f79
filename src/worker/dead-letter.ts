import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { HEADERS } from '../amqp/message.js';
import { redactText } from '../amqp/redact.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Delivery } from './consumer.js';
import type { DeadLetterReason } from './events.js';

/** Headers the broker sets when it dead-letters; never copied onto a message warren publishes. */
function isBrokerDeathHeader(name: string): boolean {
  return name.startsWith('x-death') || name.startsWith('x-first-death') || name.startsWith('x-last-death');
}

function errorClass(error: Error): string {
  return error.name || error.constructor.name || 'Error';
}

/** The properties of the dead letter: the original message's, plus the reason headers. */
export function deadLetterProperties(
  delivery: Delivery,
  reason: DeadLetterReason,
  error: Error,
  maxMessageChars: number = DEFAULTS.amqp.deadLetterMessageMaxChars,
): Options.Publish & { messageId: string } {
  const original = delivery.message.properties;
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((original.headers ?? {}) as Record<string, unknown>)) {
    if (!isBrokerDeathHeader(name)) headers[name] = value;
  }
  Object.assign(headers, {
    [HEADERS.reason]: reason,
    [HEADERS.errorClass]: errorClass(error),
    [HEADERS.errorMessage]: redactText(error.message).slice(0, maxMessageChars),
    [HEADERS.originalQueue]: delivery.queue,
    [HEADERS.originalExchange]: delivery.message.fields.exchange,
    [HEADERS.originalRoutingKey]: delivery.message.fields.routingKey,
    [HEADERS.deadAt]: new Date().toISOString(),
  });
  const properties: Options.Publish & { messageId: string } = {
    messageId: typeof original.messageId === 'string' && original.messageId ? original.messageId : `dead-${randomUUID()}`,
    persistent: true,
    timestamp: Math.floor(Date.now() / 1000),
    headers,
  };
  if (original.contentType) properties.contentType = original.contentType;
  if (original.contentEncoding) properties.contentEncoding = original.contentEncoding;
  if (original.type) properties.type = original.type;
  if (original.correlationId) properties.correlationId = original.correlationId;
  if (original.appId) properties.appId = original.appId;
  return properties;
}

/**
 * Moves a delivery to the dead-letter queue: the body byte for byte (so it can be sent
 * back unchanged), the original properties, and headers giving the reason, the error
 * class, a bounded and redacted error message, the original queue, exchange and routing
 * key, and the time. Resolves once the broker confirmed it; the caller acks after.
 * One queue for all dead letters (DEFAULTS.amqp.deadLetterQueue), declared on first use.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly adapter: AmqpAdapter,
    readonly queue: string = DEFAULTS.amqp.deadLetterQueue,
  ) {}

  async publish(delivery: Delivery, reason: DeadLetterReason, error: Error): Promise<void> {
    await this.adapter.publishToQueue(this.queue, delivery.message.content, deadLetterProperties(delivery, reason, error));
  }
}
