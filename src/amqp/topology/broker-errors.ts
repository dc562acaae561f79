/**
 * Reading RabbitMQ's channel errors. AMQP 0-9-1 cannot read an existing queue's arguments;
 * the only way over AMQP is a re-declare that fails with 406 naming the first argument that
 * differs, with both values. Matching on the text is a last resort, kept to this one file:
 * when the text is not understood, callers report the broker's own words instead.
 */

/** An error from amqplib for a channel the broker closed (403, 404, 405, 406), with the reply code. */
export interface BrokerChannelError extends Error {
  code: number;
}

/** A channel-level refusal (4xx reply code). Connection failures (320, 5xx) and socket errors are not. */
export function isBrokerChannelError(error: unknown): error is BrokerChannelError {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' && code >= 400 && code < 500;
}

export const NOT_FOUND = 404;
export const RESOURCE_LOCKED = 405;
export const PRECONDITION_FAILED = 406;
export const ACCESS_REFUSED = 403;

/** The broker's own words, without amqplib's "Operation failed: ...; 406 (...) with message" wrapper. */
export function brokerReplyText(error: Error): string {
  const match = /with message "(.*)"\s*$/s.exec(error.message);
  const text = match?.[1] ?? error.message;
  return text.replace(/^[A-Z_]+ - /, '');
}

/** A value as the broker printed it: absent ("none"), or its text and, when printed, its AMQP type. */
export type BrokerValue = { present: false } | { present: true; text: string; amqpType: string | undefined };

export interface InequivalentArgument {
  argument: string;
  received: BrokerValue;
  current: BrokerValue;
}

function parseBrokerValue(text: string): BrokerValue | undefined {
  if (text === 'none') return { present: false };
  const typed = /^the value '(.*)' of type '([\w-]+)'$/s.exec(text);
  if (typed) return { present: true, text: typed[1] ?? '', amqpType: typed[2] };
  const plain = /^'(.*)'$/s.exec(text);
  if (plain) return { present: true, text: plain[1] ?? '', amqpType: undefined };
  return undefined;
}

/**
 * `inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received '10' but current is '5'`
 * (also `received none but current is the value '5' of type 'byte'`, and the same for exchanges).
 */
export function parseInequivalentArgument(error: Error): InequivalentArgument | undefined {
  const text = brokerReplyText(error);
  const match = /inequivalent arg '([^']+)' for (?:queue|exchange) '.*' in vhost '.*': received (.+?) but current is (.+)$/s.exec(text);
  if (!match) return undefined;
  const received = parseBrokerValue(match[2] ?? '');
  const current = parseBrokerValue(match[3] ?? '');
  if (!received || !current || !match[1]) return undefined;
  return { argument: match[1], received, current };
}

/**
 * `invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue`:
 * the broker refuses an argument outright (for this queue type, or this value).
 */
export function parseInvalidArgument(error: Error): { argument: string; reason: string } | undefined {
  const text = brokerReplyText(error);
  const match = /invalid arg '([^']+)' for (?:queue|exchange) '.*' in vhost '[^']*'(.*)$/s.exec(text);
  if (!match?.[1]) return undefined;
  const rest = (match[2] ?? '').trim();
  const queueType = /of queue type rabbit_(\w+)_queue/.exec(rest)?.[1];
  const reason = queueType ? `${queueType} queues do not take it` : rest.replace(/^:\s*/, '') || 'refused by the broker';
  return { argument: match[1], reason };
}

const NUMERIC_TYPES = new Set([
  'byte',
  'unsignedbyte',
  'short',
  'unsignedshort',
  'signedint',
  'unsignedint',
  'long',
  'unsignedlong',
  'longlong',
  'float',
  'double',
  'decimal',
  'timestamp',
]);

/** Marks a broker value warren cannot turn back into a declaration argument (tables, arrays...). */
export const UNREADABLE = Symbol('unreadable broker value');

/**
 * The broker's value as a JavaScript value for a new declaration: undefined for "none".
 * `like` is a value of the same AMQP type (used when the broker printed no type, which it
 * does when both sides have the same type).
 */
export function brokerValueToJs(value: BrokerValue, like: unknown): unknown {
  if (!value.present) return undefined;
  const type = value.amqpType;
  if (type === undefined) {
    if (typeof like === 'number') return Number(value.text);
    if (typeof like === 'boolean') return value.text === 'true';
    if (typeof like === 'string') return value.text;
    // durable/auto_delete/internal and exchange types are printed bare.
    if (value.text === 'true' || value.text === 'false') return value.text === 'true';
    return value.text;
  }
  if (NUMERIC_TYPES.has(type)) return Number(value.text);
  if (type === 'longstr' || type === 'shortstr') return value.text;
  if (type === 'bool') return value.text === 'true';
  return UNREADABLE;
}
