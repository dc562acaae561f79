import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage, MessageProperties } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import type { AmqpConnection } from '../amqp/connection.js';
import { dueDestination } from '../amqp/delay/destination.js';
import { DELAY_HEADERS, dueAtOf } from '../amqp/delay/hold.js';
import { redactError } from '../support/redact.js';
import { isTripHeader, republishedProperties } from '../amqp/republish.js';
import { settleWithin } from '../amqp/settle-within.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import { UndeliverableJobError, UnencodableMessageError, UnroutableError } from '../errors.js';
import { queueDeclaration, type QueueSpec } from '../topology/index.js';
import type { Delivery } from './delivery.js';
import type { DeadLetterPublisher } from './dead-letter-publisher.js';
import type { WorkerEvents } from './events.js';
import { deliveryInfo } from './delivery.js';

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface DueForwarderOptions {
  /** The ladder's due queue, as the topology declares it. */
  queue: QueueSpec;
  prefetch: number;
  adapter: AmqpAdapter;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  events: TypedEmitter<WorkerEvents>;
  /** How long to wait before trying again to forward a due job the broker refused for now. */
  retryDelayMs: number;
  /** The longest a job that left the ladder early is held before it is forwarded (DEFAULTS.delay.maxHoldMs). */
  maxHoldMs: number;
}

/** The properties a due job is forwarded with: its own, without the trip headers except its due time (the worker holds an early arrival). */
function forwardedProperties(properties: MessageProperties): ReturnType<typeof republishedProperties> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries((properties.headers ?? {}) as Record<string, unknown>)) {
    if (!isTripHeader(name) || name === DELAY_HEADERS.dueAt) headers[name] = value;
  }
  return republishedProperties(properties, headers);
}

/**
 * Moves due jobs from the delay ladder's due queue into their own queues. The broker's
 * dead-lettering ends in the ladder's due queue (see delayTopology); from there every worker
 * process forwards, on a channel of its own (it takes none of the job concurrency): publish into
 * the job's queue with confirms, then ack. A crash between the two delivers the job twice, with
 * the same message id; nothing is acked before the broker confirmed the copy. A due job for a
 * queue that no longer exists goes to the dead-letter queue with reason `undeliverable`.
 */
export class DueForwarder {
  private readonly wrapper: ChannelWrapper;
  private readonly closedChannels = new WeakSet<Channel>();
  /** The channel consuming now and its consumer tag. */
  private current: { channel: Channel; consumerTag: string } | undefined;
  private inFlight = 0;
  private onIdle: (() => void) | undefined;
  private stopped = false;

  constructor(
    connection: AmqpConnection,
    private readonly options: DueForwarderOptions,
  ) {
    this.wrapper = connection.createChannel({
      name: 'warren-due-forwarder',
      confirm: false,
      setup: (channel: Channel) => this.setup(channel),
    });
    this.wrapper.on('error', (error: unknown) => options.logger.warn({ err: redactError(error) }, 'due-job forwarder channel error'));
  }

  private async setup(channel: Channel): Promise<void> {
    channel.on('close', () => {
      this.closedChannels.add(channel);
      if (this.current?.channel === channel) this.current = undefined;
    });
    await channel.prefetch(this.options.prefetch, false);
    await this.subscribe(channel);
  }

  /** (Re)declares the due queue and consumes it on `channel`; run on every new channel and after a broker cancel. */
  private async subscribe(channel: Channel): Promise<void> {
    const { queue } = this.options;
    await channel.assertQueue(queue.name, queueDeclaration(queue));
    if (this.stopped || this.closedChannels.has(channel)) return;
    const { consumerTag } = await channel.consume(queue.name, (message) => {
      if (message) return this.forward(channel, message);
      // The broker cancelled the consumer (the due queue was deleted): declare it again and go on.
      setTimeout(() => {
        if (!this.stopped && !this.closedChannels.has(channel)) {
          this.subscribe(channel).catch((error: unknown) => this.options.logger.warn({ err: redactError(error) }, 'cannot consume the due queue again'));
        }
      }, this.options.retryDelayMs).unref();
    });
    this.current = { channel, consumerTag };
  }

  private forward(channel: Channel, message: ConsumeMessage): void {
    this.inFlight += 1;
    void this.move(channel, message).finally(() => {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.onIdle?.();
    });
  }

  /**
   * Publishes the due job into its queue (confirmed), then acks it. When the broker refuses for
   * now, the message stays with this forwarder, unacked, and is tried again after a pause: it is
   * never handed back (a requeue would count towards the due queue's delivery limit) and never
   * acked before a copy is safe. If this channel dies meanwhile, the broker redelivers it.
   */
  private async move(channel: Channel, message: ConsumeMessage): Promise<void> {
    const { adapter, logger } = this.options;
    const destination = dueDestination(message.properties, message.fields.routingKey);
    // The ladder's last hop ends 20-40 ms before the due time (TTLs round down): hold the job until
    // due, so nothing reaches a job queue early on the wire, whoever consumes it (a Rails or
    // Sneakers worker has no hold of its own). Each message waits on its own timer: others go on.
    const dueAt = dueAtOf(message.properties.headers as Record<string, unknown> | undefined) ?? 0;
    const holdUntil = Math.min(dueAt, Date.now() + this.options.maxHoldMs);
    // A timer can fire a millisecond before Date.now() reaches its end (libuv counts from the
    // loop's cached time): wait again for what is left.
    for (let left = holdUntil - Date.now(); left > 0; left = holdUntil - Date.now()) await pause(left);
    for (;;) {
      if (this.closedChannels.has(channel)) return;
      try {
        if (destination === undefined) throw new UndeliverableJobError('a due job from the delay ladder names no queue (no "=<queue>" routing key)');
        await adapter.publishIntoQueue(destination, message.content, forwardedProperties(message.properties));
        break;
      } catch (error) {
        if (error instanceof UnroutableError || error instanceof UndeliverableJobError || error instanceof UnencodableMessageError) {
          if (await this.deadLetter(channel, message, destination, error)) break;
        } else {
          logger.warn({ err: redactError(error), queue: destination }, 'cannot forward a due job now; trying again');
        }
      }
      if (this.stopped) {
        // Shutting down: the next worker forwards it.
        if (!this.closedChannels.has(channel)) channel.nack(message, false, true);
        return;
      }
      await pause(this.options.retryDelayMs);
    }
    if (!this.closedChannels.has(channel)) channel.ack(message);
  }

  /** True once the dead letter is confirmed. */
  private async deadLetter(channel: Channel, message: ConsumeMessage, destination: string | undefined, error: Error): Promise<boolean> {
    const delivery: Delivery = { message, queue: destination ?? this.options.queue.name, channel, generation: 0, settled: false };
    try {
      await this.options.deadLetters.publish(delivery, 'undeliverable', error);
    } catch (failure) {
      this.options.logger.warn({ err: redactError(failure) }, 'cannot dead-letter an undeliverable due job now; trying again');
      return false;
    }
    const info = deliveryInfo(delivery);
    this.options.logger.warn({ queue: destination, messageId: info.messageId }, 'a delayed job fell due for a queue that does not exist: dead-lettered');
    this.options.events.emit('job:dead', { ...info, reason: 'undeliverable', error, deadLetterQueue: this.options.deadLetters.queue });
    return true;
  }

  /** Stops taking due jobs, waits (up to `timeoutMs`) for forwards in flight, closes the channel. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopped = true;
    const current = this.current;
    if (current && !this.closedChannels.has(current.channel)) await settleWithin(current.channel.cancel(current.consumerTag), timeoutMs);
    if (this.inFlight > 0) await settleWithin(new Promise<void>((resolve) => (this.onIdle = resolve)), timeoutMs);
    await settleWithin(this.wrapper.close(), timeoutMs);
  }
}
