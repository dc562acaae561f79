import { randomUUID } from 'node:crypto';
import type { MessageProperties, Options } from 'amqplib';
import { DELAY_HEADERS } from './delay/hold.js';

/**
 * Headers that describe one trip of a message, never copied when warren publishes it again
 * (to the dead-letter queue, back to its queue, round the delay ladder):
 * - the broker's dead-lettering record (`x-death`, `x-first-death-*`, `x-last-death-*`): it grows
 *   with every trip, and RabbitMQ 4 ignores it when a client sets it;
 * - `CC` / `BCC`: extra routing keys (the delay ladder's hop keys), which would route the copy again;
 * - the delay's due time (`warren-due-at`): a copy sent elsewhere is due when it arrives.
 */
export function isTripHeader(name: string): boolean {
  return (
    name.startsWith('x-death') ||
    name.startsWith('x-first-death') ||
    name.startsWith('x-last-death') ||
    name === 'CC' ||
    name === 'BCC' ||
    name === DELAY_HEADERS.dueAt
  );
}

/** A message's headers without its trip headers (see isTripHeader). */
export function republishedHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (!isTripHeader(name)) kept[name] = value;
  return kept;
}

/**
 * The properties to publish a received message again with: its own (message id, type, content
 * type and encoding, correlation id, app id, priority), persistent, with `headers`.
 */
export function republishedProperties(original: MessageProperties, headers: Record<string, unknown>): Options.Publish & { messageId: string } {
  const properties: Options.Publish & { messageId: string } = {
    messageId: typeof original.messageId === 'string' && original.messageId ? original.messageId : `dead-${randomUUID()}`,
    persistent: true,
    timestamp: Math.floor(Date.now() / 1000),
    headers,
  };
  if (original.contentType) properties.contentType = original.contentType as string;
  if (original.contentEncoding) properties.contentEncoding = original.contentEncoding as string;
  if (original.type) properties.type = original.type as string;
  if (original.correlationId) properties.correlationId = original.correlationId as string;
  if (original.appId) properties.appId = original.appId as string;
  if (typeof original.priority === 'number') properties.priority = original.priority;
  return properties;
}
