import { createHash } from 'node:crypto';
import type { ChannelModel } from 'amqplib';
import { DEFAULTS } from '../config/defaults.js';
import { onOwnChannel } from './own-channel.js';

/**
 * Paused queues, kept on the broker so the state outlives every worker: a queue is paused while
 * an empty durable marker queue named `warren.paused.<queue>` exists (declared to pause, deleted
 * to resume). Workers read the markers of their queues when they subscribe and every
 * DEFAULTS.flow.pauseRefreshMs after; a `pause`/`resume` control message makes them act at once.
 * Anyone who may declare queues on the virtual host may pause one, as anyone who may publish may
 * enqueue: the broker's permissions are the boundary.
 */
export function pauseMarkerName(queue: string): string {
  const prefix = DEFAULTS.flow.pauseMarkerPrefix;
  // Queue names are at most 255 bytes: a long name is hashed (the marker's own name says which queue in its arguments).
  return Buffer.byteLength(queue) + prefix.length + 1 <= 255 ? `${prefix}.${queue}` : `${prefix}.sha256.${createHash('sha256').update(queue).digest('hex')}`;
}

/** Declares the marker: the queue is paused for every worker, now and after restarts. */
export async function markPaused(connection: ChannelModel, queue: string): Promise<void> {
  await onOwnChannel(connection, async (channel) => {
    await channel.assertQueue(pauseMarkerName(queue), { durable: true, arguments: { 'x-warren-paused-queue': queue, 'x-queue-type': 'classic' } });
  });
}

/** Deletes the marker. */
export async function markResumed(connection: ChannelModel, queue: string): Promise<void> {
  await onOwnChannel(connection, async (channel) => {
    await channel.deleteQueue(pauseMarkerName(queue));
  });
}

/** Which of `queues` are paused (their marker exists). One channel per check that finds none. */
export async function pausedAmong(connection: ChannelModel, queues: readonly string[]): Promise<Set<string>> {
  const paused = new Set<string>();
  for (const queue of queues) {
    const exists = await onOwnChannel(connection, async (channel) => {
      try {
        await channel.checkQueue(pauseMarkerName(queue));
        return true;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return false;
        throw error;
      }
    });
    if (exists) paused.add(queue);
  }
  return paused;
}
