import type { Channel, ChannelModel } from 'amqplib';

/**
 * Runs `work` on a short-lived channel of its own, closed after (unless the broker closed it
 * first): for operations whose refusal closes the channel (a passive declaration of a missing
 * queue: 404; an exclusive queue another connection owns: 405), so nothing else is on it.
 */
export async function onOwnChannel<T>(connection: ChannelModel, work: (channel: Channel) => Promise<T>): Promise<T> {
  const channel = await connection.createChannel();
  let closed = false;
  channel.on('error', () => {});
  channel.on('close', () => (closed = true));
  try {
    return await work(channel);
  } finally {
    if (!closed) await channel.close().catch(() => {});
  }
}
