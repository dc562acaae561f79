// The raw amqplib rows' wire formats (see RawWire in protocol.ts).
import { randomUUID } from 'node:crypto';
import type { Channel, Options } from 'amqplib';
import type { BenchPayload } from './payload.js';
import type { QueueKind, RawWire } from './protocol.js';

/** The exchange the `warren` wire format publishes to: one per queue, removed with it. */
export const exchangeFor = (queue: string): string => `${queue}.exchange`;

/** The queue arguments of each kind, as warren declares them (src/topology/declarations.ts). */
export function queueArgumentsOf(kind: QueueKind): Record<string, unknown> {
  if (kind === 'quorum') return { 'x-queue-type': 'quorum' };
  const classic = { 'x-queue-type': 'classic', 'x-queue-version': 2 };
  return kind === 'priority' ? { ...classic, 'x-max-priority': 10 } : classic;
}

/** Declares what a producer or worker of this wire format and queue kind needs. */
export async function declareRawQueue(channel: Channel, queue: string, wire: RawWire, kind: QueueKind): Promise<void> {
  await channel.assertQueue(queue, { durable: true, arguments: queueArgumentsOf(kind) });
  if (wire === 'warren') {
    await channel.assertExchange(exchangeFor(queue), 'direct', { durable: true });
    await channel.bindQueue(queue, exchangeFor(queue), queue);
  }
}

export interface RawMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

/** The message raw amqplib publishes for one job (priority 5 on a priority queue, as warren maps a job without one). */
export function rawMessage(queue: string, wire: RawWire, kind: QueueKind, payload: BenchPayload): RawMessage {
  const priority = kind === 'priority' ? { priority: 5 } : {};
  if (wire !== 'warren') {
    return {
      exchange: '',
      routingKey: queue,
      content: Buffer.from(JSON.stringify(payload)),
      options: { persistent: true, contentType: 'application/json', ...priority },
    };
  }
  const jobId = randomUUID();
  const envelope = {
    job_class: 'BenchJob',
    job_id: jobId,
    provider_job_id: null,
    queue_name: queue,
    priority: null,
    arguments: [{ ...payload, _aj_symbol_keys: [] }],
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: new Date().toISOString().replace(/Z$/, '000000Z'),
    scheduled_at: null,
    envelope_version: 1,
  };
  return {
    exchange: exchangeFor(queue),
    routingKey: queue,
    content: Buffer.from(JSON.stringify(envelope)),
    options: {
      persistent: true,
      mandatory: true,
      contentType: 'application/json',
      messageId: jobId,
      type: 'BenchJob',
      timestamp: Math.floor(Date.now() / 1000),
      appId: 'warren',
      ...priority,
      headers: sharedHeaders(queue),
    },
  };
}

const headersByQueue = new Map<string, Readonly<Record<string, unknown>>>();

/**
 * One headers object per queue, as warren shares them (src/amqp/message.ts): amqplib makes
 * each headers object a prototype, and a fresh one per message costs the client an old-generation
 * promotion per message, which is not the broker's part this row isolates.
 */
function sharedHeaders(queue: string): Readonly<Record<string, unknown>> {
  let headers = headersByQueue.get(queue);
  if (!headers) headersByQueue.set(queue, (headers = Object.freeze({ 'warren-version': '0.1.0', 'warren-queue': queue, 'warren-executions': 0 })));
  return headers;
}

/** The payload inside a delivered body of this wire format. */
export function payloadOf(content: Buffer, wire: RawWire): BenchPayload {
  const parsed = JSON.parse(content.toString('utf8')) as BenchPayload | { arguments: [BenchPayload] };
  return wire === 'warren' ? (parsed as { arguments: [BenchPayload] }).arguments[0] : (parsed as BenchPayload);
}
