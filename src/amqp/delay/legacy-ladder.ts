import type { Channel, GetMessage, Options } from 'amqplib';
import type { ProbeConnection } from '../topology/channels.js';
import { dueDestination } from './destination.js';
import { republishedHeaders, republishedProperties } from '../republish.js';
import { dueAtOf } from './hold.js';
import { delayNames } from './names.js';
import { MAX_LEVELS } from './levels.js';

/**
 * warren 0.1's classic delay ladder (`<prefix>.NN` classic queues, `<prefix>.in`,
 * `<prefix>.deliver`): dead-lettering out of a classic queue is at-most-once, so a broker stop
 * at the instant of a hop can drop a job. An upgraded warren declares the quorum ladder
 * (`<prefix>.quorum.*`) beside it and never publishes to the old one; jobs still waiting there
 * keep draining into their queues through `<prefix>.deliver` (whose bindings stay on the
 * broker), or are moved at once by migrateLegacyLadder.
 */
export interface LegacyLadderQueue {
  name: string;
  messages: number;
  consumers: number;
}

/** What migrateLegacyLadder did. */
export interface LegacyMigrationReport {
  moved: number;
  /** Jobs with no `=<queue>` delivery key: left where they are (they drain to the dead-letter queue). */
  left: number;
  /** Old level queues (and, once all are gone, the old exchanges) deleted because empty afterwards (with `deleteEmpty`). */
  deleted: string[];
}

/** Publishes a moved job so it reaches `queue` at `dueAt` (AmqpAdapter.publishIntoQueueAt). */
export type LegacyJobPublisher = (queue: string, content: Buffer, properties: Options.Publish & { messageId: string }, dueAt: number) => Promise<void>;

/** The names a classic ladder under `prefix` may have used (any level count up to the maximum). */
export function legacyLevelQueueNames(prefix: string): string[] {
  return delayNames(prefix, 'classic').queues(MAX_LEVELS, 0);
}

/** A passive declare on a channel of its own (a missing queue closes the channel it is asked on). */
async function inspectQueue(connection: ProbeConnection, name: string): Promise<LegacyLadderQueue | undefined> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    const { messageCount, consumerCount } = await channel.checkQueue(name);
    return { name, messages: messageCount, consumers: consumerCount };
  } catch {
    return undefined;
  } finally {
    await channel.close().catch(() => {});
  }
}

/** The old ladder's level queues that exist on the broker, with what they hold; empty when there is none. */
export async function inspectLegacyLadder(connection: ProbeConnection, prefix: string): Promise<LegacyLadderQueue[]> {
  const found: LegacyLadderQueue[] = [];
  for (const name of legacyLevelQueueNames(prefix)) {
    const queue = await inspectQueue(connection, name);
    if (queue) found.push(queue);
  }
  return found;
}

/** Moves one old level queue's jobs; each is acked only after its copy was confirmed. */
async function drainQueue(channel: Channel, queue: string, publish: LegacyJobPublisher, report: LegacyMigrationReport): Promise<void> {
  const window = 100;
  for (;;) {
    const batch: GetMessage[] = [];
    while (batch.length < window) {
      const message = await channel.get(queue, { noAck: false });
      if (!message) break;
      batch.push(message);
    }
    if (batch.length === 0) return;
    await Promise.all(
      batch.map(async (message) => {
        const destination = dueDestination(message.properties, message.fields.routingKey);
        // Left unacked until the channel closes, so `get` does not hand it out again.
        if (destination === undefined) return void (report.left += 1);
        const headers = message.properties.headers as Record<string, unknown> | undefined;
        // Its own properties, without the broker's and the old ladder's trip headers; a job without a
        // readable due time is due now (the worker runs it: never lost, at worst early).
        await publish(destination, message.content, republishedProperties(message.properties, republishedHeaders(headers)), dueAtOf(headers) ?? Date.now());
        channel.ack(message);
        report.moved += 1;
      }),
    );
  }
}

/**
 * Moves every job waiting in warren 0.1's classic ladder under `prefix` into the ladder
 * `publish` uses (the quorum ladder), keeping each job's due time, queue and message id; a job
 * already due goes straight to its queue. At-least-once: a copy is confirmed before the
 * original is acked, so an interruption can leave a job in both (the same message id). With
 * `deleteEmpty`, the old level queues are deleted when empty afterwards.
 */
export async function migrateLegacyLadder(
  connection: ProbeConnection,
  prefix: string,
  publish: LegacyJobPublisher,
  options: { deleteEmpty?: boolean } = {},
): Promise<LegacyMigrationReport> {
  const report: LegacyMigrationReport = { moved: 0, left: 0, deleted: [] };
  const found = await inspectLegacyLadder(connection, prefix);
  for (const { name } of found) {
    const channel = await connection.createChannel();
    try {
      await drainQueue(channel, name, publish, report);
    } finally {
      await channel.close().catch(() => {});
    }
    if (options.deleteEmpty) {
      const deleter = await connection.createChannel();
      deleter.on('error', () => {});
      try {
        await deleter.deleteQueue(name, { ifEmpty: true });
        report.deleted.push(name);
      } catch {
        // Not empty (jobs left, or new arrivals from a higher level): kept.
      } finally {
        await deleter.close().catch(() => {});
      }
    }
  }
  if (options.deleteEmpty && found.length > 0 && report.deleted.length === found.length) {
    const deleter = await connection.createChannel();
    try {
      for (const name of delayNames(prefix, 'classic').exchanges(MAX_LEVELS, 0)) await deleter.deleteExchange(name);
      report.deleted.push(`exchanges ${prefix}.in, ${prefix}.NN, ${prefix}.deliver, ${prefix}.undeliverable`);
    } finally {
      await deleter.close().catch(() => {});
    }
  }
  return report;
}
