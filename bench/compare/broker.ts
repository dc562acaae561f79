// Broker housekeeping for the parent: unique names, a forced RabbitMQ garbage collection
// before each drain, and removal of everything a run created (its queues, its Redis keys).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Queue } from 'bullmq';
// ioredis comes with bullmq (its Redis client); used here only to remove this run's keys.
import { Redis } from 'ioredis';
import { BULLMQ_PREFIX, CONFIG } from './config.js';
import { exchangeFor } from './raw-wire.js';
import type { SystemScript } from './spawn.js';

const run = promisify(execFile);
const RUN_ID = randomUUID().slice(0, 8);
let sequence = 0;

/** A queue name no other run (or test) uses. */
export function uniqueQueueName(label: string): string {
  sequence += 1;
  return `bench-${RUN_ID}-${label}-${sequence}`;
}

/**
 * Garbage-collects every Erlang process of the broker, so a collection does not land in
 * the middle of a drain (drain rates are bimodal otherwise). Skipped with a note if
 * rabbitmqctl is not available.
 */
export async function collectBrokerGarbage(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['eval', '[erlang:garbage_collect(P) || P <- erlang:processes()], ok.'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Deletes the queues (and, for BullMQ, every key) a stage created. */
export async function removeQueue(system: SystemScript, queue: string): Promise<void> {
  if (system === 'bullmq') {
    await removeBullQueue(queue);
    return;
  }
  const connection = await amqp.connect(CONFIG.amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    // The raw rows' `warren` wire format declares an exchange of its own (absent otherwise: deleting it is a no-op).
    if (system === 'raw') await channel.deleteExchange(exchangeFor(queue));
    await channel.close();
  } finally {
    await connection.close();
  }
}

async function removeBullQueue(name: string): Promise<void> {
  const queue = new Queue(name, { connection: CONFIG.redis, prefix: BULLMQ_PREFIX });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
  // obliterate leaves a few bookkeeping keys (meta, events): remove whatever is left of this queue only.
  const redis = new Redis(CONFIG.redis);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${BULLMQ_PREFIX}:${name}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Messages waiting in an AMQP queue (a check that a drain emptied it). */
export async function queueDepth(queue: string): Promise<number> {
  const connection = await amqp.connect(CONFIG.amqpUrl);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  } finally {
    await connection.close();
  }
}

/** "RabbitMQ 3.10.8, Redis 7.0.15 (appendonly no)", for the report header. */
export async function brokerVersions(): Promise<string> {
  const parts: string[] = [];
  try {
    const connection = await amqp.connect(CONFIG.amqpUrl);
    const properties = (connection.connection as unknown as { serverProperties?: { version?: string } }).serverProperties;
    parts.push(`RabbitMQ ${properties?.version ?? 'unknown version'}`);
    await connection.close();
  } catch {
    parts.push('RabbitMQ unreachable');
  }
  const redis = new Redis({ ...CONFIG.redis, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown version';
    const appendonly = ((await redis.config('GET', 'appendonly')) as string[])[1] ?? '?';
    parts.push(`Redis ${version} (appendonly ${appendonly})`);
  } catch {
    parts.push('Redis unreachable');
  } finally {
    redis.disconnect();
  }
  return parts.join(', ');
}
