import amqplib from 'amqplib';
import { defaultTopology, DelayLadder, verifyTopology } from '../../src/index.js';

/**
 * Many tests share warren's default delay ladder (`warren.delay.quorum.*`). A broker that ran
 * another version of warren (an older checkout, an earlier draft of the ladder) can hold it
 * declared with other arguments, and then every one of those tests fails on the declaration
 * with a TopologyError. Before a run, the parts of the default ladder that differ from what this
 * checkout declares are deleted when they are empty (nothing is lost), so the run declares them
 * afresh; a differing queue that holds messages is left alone, with a warning.
 */
export async function clearStaleDefaultLadder(url: string): Promise<void> {
  const topology = new DelayLadder().extendTopology(defaultTopology());
  const report = await verifyTopology(url, topology).catch(() => undefined);
  const stale = report?.entries.filter((entry) => entry.status === 'differs' && entry.origin === 'generated') ?? [];
  if (stale.length === 0) return;
  const connection = await amqplib.connect(url);
  connection.on('error', () => {});
  const deleted: string[] = [];
  const kept: string[] = [];
  try {
    for (const entry of stale) {
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      try {
        if (entry.kind === 'queue') {
          // Quorum queues do not take if-empty on delete: count first (the suite has not started).
          const { messageCount } = await channel.checkQueue(entry.name);
          if (messageCount > 0) throw new Error('not empty');
          await channel.deleteQueue(entry.name);
        } else await channel.deleteExchange(entry.name);
        deleted.push(`${entry.kind} ${entry.name}`);
      } catch {
        kept.push(`${entry.kind} ${entry.name}`);
      } finally {
        await channel.close().catch(() => {});
      }
    }
  } finally {
    await connection.close().catch(() => {});
  }
  process.stderr.write(
    `test setup: the broker held warren's default delay ladder as another version declared it; deleted (empty) ${deleted.length}: ${deleted.join(', ')}` +
      `${kept.length ? `; kept (not empty) ${kept.join(', ')}: tests using the default ladder may fail on it` : ''}\n`,
  );
}
