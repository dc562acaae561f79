import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import type { Logger } from 'pino';
import { DEFAULTS } from '../config/defaults.js';
import type { AmqpConnection } from '../amqp/connection.js';
import type { TopologyDeclarer } from '../amqp/declarer.js';
import { redactError } from '../support/redact.js';
import { settleWithin } from '../amqp/settle-within.js';
import { ChannelAcks } from './channel-acks.js';
import type { Delivery } from './delivery.js';

export type SettleResult = 'sent' | 'stale';

export interface ConsumerOptions {
  queues: readonly string[];
  prefetch: number;
  declarer: TopologyDeclarer;
  logger: Logger;
  onDelivery: (delivery: Delivery) => void;
  /** Called for an ack that was queued (ack() said 'sent') but found its channel closed when sent. */
  onStaleAck?: (delivery: Delivery) => void;
  /** Called when a server-side close made deliveries of `generation` stale. */
  onChannelLost?: (generation: number) => void;
  /** The queues paused on the broker, read before each (re)subscription; default: none. */
  pausedQueues?: () => Promise<ReadonlySet<string>>;
}

/**
 * Consumes the worker's queues on the consuming connection. A channel setup (first
 * connect and every reconnect) asserts the topology, sets the prefetch and subscribes
 * each queue, on a new channel generation. Acks go to the delivery's own channel, and
 * only while it is open; otherwise they are dropped and the broker redelivers the
 * message (never a 406 "unknown delivery tag" on a new channel). A consumer cancelled by
 * the broker (`null` delivery) is re-subscribed.
 */
export class Consumer {
  private readonly wrapper: ChannelWrapper;
  private generation = 0;
  private channel: Channel | undefined;
  /** Acks of the current channel, batched per turn of the event loop. */
  private acks: ChannelAcks | undefined;
  private readonly closedChannels = new WeakSet<Channel>();
  private readonly consumerTags = new Map<string, string>();
  private cancelled = false;
  /** Queues not consumed while they are paused (see queue-pauses.ts). */
  private readonly paused = new Set<string>();
  private firstSetup: { resolve: () => void; reject: (error: Error) => void; promise: Promise<void> };

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumerOptions,
  ) {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.firstSetup = { resolve, reject, promise };
    this.wrapper = connection.createChannel({
      name: 'warren-consumer',
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    this.wrapper.on('error', (error: unknown) => {
      options.logger.warn({ err: redactError(error) }, 'consumer channel error');
    });
  }

  /** Resolves once the first channel is set up and every queue subscribed; rejects if that setup fails. */
  ready(): Promise<void> {
    return this.firstSetup.promise;
  }

  private async setup(channel: Channel): Promise<void> {
    const generation = ++this.generation;
    const logger = this.options.logger;
    let serverError: Error | undefined;
    channel.on('error', (error: unknown) => {
      serverError = redactError(error);
      logger.error({ err: serverError, generation }, 'the broker closed the consuming channel; its unacked deliveries go back to the queue');
    });
    const acks = new ChannelAcks(
      channel,
      () => !this.closedChannels.has(channel),
      (delivery) => this.options.onStaleAck?.(delivery),
    );
    channel.on('close', () => {
      this.closedChannels.add(channel);
      acks.flush(); // reports what was queued as stale: the broker requeues those deliveries
      if (this.channel === channel) {
        this.channel = undefined;
        this.acks = undefined;
      }
      this.options.onChannelLost?.(generation);
      // amqp-connection-manager re-creates channels only on reconnect.
      if (serverError && !this.cancelled && this.connection.isConnected()) {
        this.connection.reconnectAfter(this.connection.backoffDelay());
      }
    });
    try {
      await this.options.declarer.declareAll(channel);
      for (const queue of this.options.queues) await this.options.declarer.ensure(queue);
      await channel.prefetch(this.options.prefetch, false);
      this.channel = channel;
      this.acks = acks;
      this.consumerTags.clear();
      if (this.options.pausedQueues) {
        this.paused.clear();
        for (const queue of await this.options.pausedQueues()) this.paused.add(queue);
      }
      if (!this.cancelled) {
        for (const queue of this.options.queues) if (!this.paused.has(queue)) await this.subscribe(channel, queue, generation);
      }
      logger.info(
        { queues: this.options.queues, prefetch: this.options.prefetch, generation, ...(this.paused.size > 0 && { paused: [...this.paused] }) },
        'consuming',
      );
      this.firstSetup.resolve();
    } catch (error) {
      const safe = redactError(error);
      logger.error({ err: safe, generation }, 'cannot start consuming (run `warren topology verify` if the topology differs)');
      if (!this.connection.isConnected()) return; // connection lost mid-setup: the reconnect runs setup again
      // A refusal (404, 406, a topology error) will not fix itself on this channel: the caller of
      // start() learns it, and the consumer keeps trying on a new connection with backoff.
      this.firstSetup.reject(safe);
      this.connection.reconnectAfter(this.connection.backoffDelay());
    }
  }

  private async subscribe(channel: Channel, queue: string, generation: number): Promise<void> {
    const { consumerTag } = await channel.consume(
      queue,
      (message) => {
        if (message === null) {
          this.onCancelledByServer(channel, queue, generation);
          return;
        }
        const delivery: Delivery = { message, queue, channel, generation, settled: false, ackQueued: false };
        if (this.channel === channel) this.acks?.track(delivery);
        this.options.onDelivery(delivery);
      },
      { noAck: false },
    );
    this.consumerTags.set(queue, consumerTag);
  }

  private onCancelledByServer(channel: Channel, queue: string, generation: number): void {
    this.consumerTags.delete(queue);
    this.options.logger.warn({ queue, generation }, 'the broker cancelled the consumer (queue deleted or failed over); re-subscribing');
    const timer = setTimeout(() => {
      if (this.cancelled || this.channel !== channel || this.paused.has(queue) || this.consumerTags.has(queue)) return;
      const resubscribe = async (): Promise<void> => {
        // The queue may have been deleted: declare it again (as the topology says), then consume.
        await this.options.declarer.declareAll(channel);
        await this.subscribe(channel, queue, generation);
      };
      resubscribe().catch((error: unknown) => {
        this.options.logger.warn({ err: redactError(error), queue }, 're-subscribe failed; reconnecting');
        this.connection.reconnectAfter(this.connection.backoffDelay());
      });
    }, DEFAULTS.amqp.resubscribeDelayMs);
    timer.unref();
  }

  /** Stops taking jobs from `queue` (basic.cancel); its in-flight deliveries go on and are acked. */
  async pause(queue: string): Promise<void> {
    if (!this.options.queues.includes(queue) || this.paused.has(queue)) return;
    this.paused.add(queue);
    const tag = this.consumerTags.get(queue);
    const channel = this.channel;
    this.consumerTags.delete(queue);
    if (tag && channel) await settleWithin(channel.cancel(tag), 5_000);
    this.options.logger.info({ queue }, 'queue paused: taking no jobs from it');
  }

  /** Takes jobs from `queue` again. */
  async resume(queue: string): Promise<void> {
    if (!this.paused.delete(queue)) return;
    const channel = this.channel;
    if (channel && !this.cancelled && !this.consumerTags.has(queue)) await this.subscribe(channel, queue, this.generation);
    this.options.logger.info({ queue }, 'queue resumed');
  }

  /** The queues paused now. */
  get pausedQueues(): ReadonlySet<string> {
    return this.paused;
  }

  /** Whether acks for this delivery can still reach its channel. */
  isLive(delivery: Delivery): boolean {
    return delivery.channel === this.channel && !this.closedChannels.has(delivery.channel);
  }

  /** Queues the ack (see ChannelAcks): sent at the end of this turn of the event loop. */
  ack(delivery: Delivery): SettleResult {
    const acks = this.acks;
    if (!acks || delivery.channel !== this.channel) return this.settle(delivery, (channel) => channel.ack(delivery.message));
    return this.settle(delivery, () => acks.ack(delivery));
  }

  nack(delivery: Delivery, requeue: boolean): SettleResult {
    return this.settle(delivery, (channel) => channel.nack(delivery.message, false, requeue));
  }

  private settle(delivery: Delivery, send: (channel: Channel) => void): SettleResult {
    if (delivery.settled) return 'stale';
    delivery.settled = true;
    if (!this.isLive(delivery)) return 'stale';
    try {
      send(delivery.channel);
      return 'sent';
    } catch {
      return 'stale'; // closing underneath us: the broker requeues it
    }
  }

  /** Stops new deliveries (basic.cancel on every queue); in-flight deliveries can still be acked. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    const channel = this.channel;
    if (!channel) return;
    const tags = [...this.consumerTags.values()];
    this.consumerTags.clear();
    await settleWithin(Promise.all(tags.map((tag) => channel.cancel(tag))), 5_000);
  }

  get cancelledByWorker(): boolean {
    return this.cancelled;
  }

  /** Closes the channel: the broker requeues every delivery not acked by now. */
  async close(): Promise<void> {
    this.cancelled = true;
    this.acks?.flush();
    await settleWithin(this.wrapper.close(), 5_000);
  }
}
