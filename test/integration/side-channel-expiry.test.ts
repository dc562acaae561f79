// A queue that only ever receives publishes (a rate window's permits, a unique lock, a schedule
// record) must outlive its `x-expires`: RabbitMQ does not count a publish as use, deletes such a
// queue after x-expires, and then confirms every later publish into it and drops it (a rate limit
// silently gone a minute into a worker's life). SideChannel.assertQueue declares it again after
// half of x-expires. Both halves on the real broker, with an x-expires of 2 s.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, expect, inject, it } from 'vitest';
import { AmqpConnection } from '../../src/amqp/connection.js';
import { SideChannel } from '../../src/amqp/side-channel.js';

const url = inject('amqpUrl');
const prefix = `t-expiry-${randomUUID().slice(0, 8)}`;
const options = { durable: true, arguments: { 'x-expires': 2_000, 'x-max-length': 1, 'x-queue-type': 'classic' } };
const connection = new AmqpConnection('publish', { url });
const probe = await amqp.connect(url);

afterAll(async () => {
  const channel = await probe.createChannel();
  for (const queue of [`${prefix}.plain`, `${prefix}.side`]) await channel.deleteQueue(queue); // a missing queue's delete is a no-op
  await probe.close();
  await connection.close();
});

/** Whether `queue` exists, asked on a channel of its own (a missing queue closes it). A passive declaration counts as use: asked only at the end. */
async function exists(queue: string): Promise<boolean> {
  const channel = await probe.createChannel();
  channel.on('error', () => {});
  try {
    await channel.checkQueue(queue);
    await channel.close();
    return true;
  } catch {
    return false;
  }
}

it('a queue only published into is deleted after x-expires (publishes still confirmed); through a SideChannel it stays', { timeout: 30_000 }, async () => {
  const raw = await probe.createConfirmChannel();
  await raw.assertQueue(`${prefix}.plain`, options);
  // `mandatory` makes the broker return a message no queue took, without touching the queue.
  let returned = 0;
  raw.on('return', () => (returned += 1));
  const side = new SideChannel(connection, { waitMs: 5_000 });
  let confirmedIntoNothing = 0;
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const before = returned;
    const confirmed = await SideChannel.publishConfirmed(raw, `${prefix}.plain`, Buffer.from('x'), { mandatory: true });
    if (confirmed && returned > before) confirmedIntoNothing += 1;
    await side.bounded('publishing', async (channel) => {
      await side.assertQueue(channel, `${prefix}.side`, options);
      expect(await SideChannel.publishConfirmed(channel, `${prefix}.side`, Buffer.from('x'), {})).toBe(true);
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await raw.close();
  await side.close();
  expect(confirmedIntoNothing).toBeGreaterThan(0);
  expect(await exists(`${prefix}.plain`)).toBe(false);
  expect(await exists(`${prefix}.side`)).toBe(true);
});
