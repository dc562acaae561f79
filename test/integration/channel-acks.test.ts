import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { ChannelAcks } from '../../src/worker/channel-acks.js';
import type { Delivery } from '../../src/worker/delivery.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

/** ChannelAcks on a real channel: what it sends, and what the broker then still holds. */
describe('ChannelAcks', () => {
  let probe: BrokerProbe;
  let connection: ChannelModel;
  let channel: Channel;
  let queue: string;
  let closed: boolean;
  let channelErrors: unknown[];
  const sent: Array<{ tag: number; multiple: boolean }> = [];

  beforeEach(async () => {
    probe = await BrokerProbe.open(url);
    queue = `${uniquePrefix()}acks`;
    connection = await amqp.connect(url);
    channel = await connection.createChannel();
    closed = false;
    channelErrors = [];
    channel.on('error', (error: unknown) => channelErrors.push(error));
    channel.on('close', () => (closed = true));
    await channel.assertQueue(queue, { durable: false });
    const ack = channel.ack.bind(channel);
    sent.length = 0;
    channel.ack = (message, allUpTo) => {
      ack(message, allUpTo); // throws once the channel is closing: then nothing was sent
      sent.push({ tag: message.fields.deliveryTag, multiple: allUpTo === true });
    };
  });

  afterEach(async () => {
    if (!closed) await channel.close().catch(() => {});
    await connection.close().catch(() => {});
    await probe.deleteQueues([queue]);
    await probe.close();
  });

  /** Publishes `count` messages and consumes them unacked (prefetch = count). */
  async function receive(count: number, acks: () => ChannelAcks): Promise<Delivery[]> {
    for (let i = 0; i < count; i++) channel.sendToQueue(queue, Buffer.from(String(i)));
    await channel.prefetch(count);
    const deliveries: Delivery[] = [];
    await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      const delivery: Delivery = { message, queue, channel, generation: 1, settled: false };
      acks().track(delivery);
      deliveries.push(delivery);
    });
    await waitFor(() => deliveries.length === count, `${count} deliveries`);
    return deliveries;
  }

  function settleAndQueue(acks: ChannelAcks, delivery: Delivery): void {
    delivery.settled = true;
    acks.ack(delivery);
  }

  async function remainingAfterClose(): Promise<number> {
    await channel.close();
    closed = true;
    return probe.messageCount(queue);
  }

  it('acks a run of settled deliveries with one multiple ack at the end of the turn', async () => {
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      () => {},
    );
    const deliveries = await receive(50, () => acks);
    for (const delivery of deliveries) settleAndQueue(acks, delivery);
    expect(sent).toEqual([]); // nothing before the turn ends
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([{ tag: deliveries[49]!.message.fields.deliveryTag, multiple: true }]);
    expect(await remainingAfterClose()).toBe(0);
    expect(channelErrors).toEqual([]);
  });

  it('never covers a delivery still being performed: acks after it go one by one, and it stays unacked', async () => {
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      () => {},
    );
    const deliveries = await receive(10, () => acks);
    const running = deliveries[4]!;
    for (const delivery of deliveries) if (delivery !== running) settleAndQueue(acks, delivery);
    acks.flush();
    const tags = deliveries.map((delivery) => delivery.message.fields.deliveryTag);
    expect(sent).toEqual([{ tag: tags[3]!, multiple: true }, ...tags.slice(5).map((tag) => ({ tag, multiple: false }))]);
    // It finishes later: the next multiple ack covers it, and the tags acked singly before it do not trouble the broker.
    settleAndQueue(acks, running);
    acks.flush();
    expect(sent.at(-1)).toEqual({ tag: tags[4]!, multiple: true });
    expect(await remainingAfterClose()).toBe(0);
    expect(channelErrors).toEqual([]);
  });

  /**
   * Streams `total` messages at `prefetch`: every delivery is tracked, then handed to
   * `onDelivery`, which settles and acks some of them; the broker sends more as slots free up.
   * Returns every delivery and the most deliveries ChannelAcks referenced at once.
   */
  async function stream(
    total: number,
    prefetch: number,
    acks: ChannelAcks,
    onDelivery: (delivery: Delivery, index: number, received: Delivery[]) => void,
  ): Promise<{ deliveries: Delivery[]; mostHeld: number }> {
    for (let i = 0; i < total; i++) channel.sendToQueue(queue, Buffer.from(String(i)));
    await channel.prefetch(prefetch);
    const deliveries: Delivery[] = [];
    let mostHeld = 0;
    await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      const delivery: Delivery = { message, queue, channel, generation: 1, settled: false, ackQueued: false };
      acks.track(delivery);
      deliveries.push(delivery);
      onDelivery(delivery, deliveries.length - 1, deliveries);
      acks.flush();
      mostHeld = Math.max(mostHeld, acks.heldCount);
    });
    await waitFor(() => deliveries.length === total, `${total} deliveries`);
    return { deliveries, mostHeld };
  }

  it('holds a bounded number of deliveries, however long the oldest one runs', async () => {
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      () => {},
    );
    const { deliveries, mostHeld } = await stream(500, 10, acks, (delivery, index) => {
      if (index > 0) settleAndQueue(acks, delivery); // the first one keeps running
    });
    // Acked deliveries behind the running one are swept out (the prefetch is 10; not 500 kept).
    expect(mostHeld).toBeLessThanOrEqual(2 * 10 + 64);
    expect(sent.every((ack) => !ack.multiple)).toBe(true);
    settleAndQueue(acks, deliveries[0]!);
    acks.flush();
    expect(sent.at(-1)).toEqual({ tag: deliveries[0]!.message.fields.deliveryTag, multiple: true });
    expect(acks.heldCount).toBe(0);
    expect(await remainingAfterClose()).toBe(0);
    expect(channelErrors).toEqual([]);
  });

  it('lets go of acked deliveries while others keep running', async () => {
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      () => {},
    );
    // Nine running at any time: each arrival finishes the oldest, as under a full prefetch.
    const { deliveries, mostHeld } = await stream(1_000, 10, acks, (_, index, received) => {
      if (index >= 9) settleAndQueue(acks, received[index - 9]!);
    });
    expect(mostHeld).toBeLessThanOrEqual(2 * 10 + 64);
    expect(sent.length).toBeGreaterThan(0);
    for (const delivery of deliveries.slice(-9)) settleAndQueue(acks, delivery);
    acks.flush();
    expect(acks.heldCount).toBe(0);
    expect(await remainingAfterClose()).toBe(0);
    expect(channelErrors).toEqual([]);
  });

  it('covers a run with a nacked delivery inside it without a channel error', async () => {
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      () => {},
    );
    const deliveries = await receive(6, () => acks);
    const failed = deliveries[2]!;
    failed.settled = true;
    channel.nack(failed.message, false, false); // dropped (no dead-letter exchange on this queue)
    for (const delivery of deliveries) if (delivery !== failed) settleAndQueue(acks, delivery);
    acks.flush();
    expect(sent).toEqual([{ tag: deliveries[5]!.message.fields.deliveryTag, multiple: true }]);
    expect(await remainingAfterClose()).toBe(0);
    expect(channelErrors).toEqual([]);
  });

  it('reports queued acks as stale when the channel closed before they were sent; the broker redelivers them', async () => {
    const stale: Delivery[] = [];
    const acks = new ChannelAcks(
      channel,
      () => !closed,
      (delivery) => stale.push(delivery),
    );
    const deliveries = await receive(3, () => acks);
    for (const delivery of deliveries) settleAndQueue(acks, delivery);
    expect(await remainingAfterClose()).toBe(3);
    acks.flush();
    expect(stale).toEqual(deliveries);
    expect(sent).toEqual([]);
  });
});
