import { DEFAULTS } from '../config/defaults.js';
import type { AmqpConnection } from './connection.js';
import { SideChannel } from './side-channel.js';

/** Headers of a tick's job message (and of its copy in the record queue). */
export const SCHEDULE_HEADERS = Object.freeze({
  /** The schedule's name. */
  schedule: 'x-warren-schedule',
  /** The tick's time, ms since the epoch. */
  tick: 'x-warren-schedule-tick',
});

/**
 * Each schedule's last enqueued tick, on the broker: the one message of a durable record queue
 * (`x-max-length: 1`, drop-head: the newest stays). The leader publishes every tick's job with a
 * CC to this queue (AmqpAdapter.enqueueWithCopy): one publish routed to both queues, so the job is
 * in its queue exactly when its tick is recorded; a new leader reads the record and goes on after
 * it. A record unused for DEFAULTS.schedule.recordExpiresMs is deleted by the broker.
 */
export class ScheduleRecords {
  private readonly channel: SideChannel;

  constructor(connection: AmqpConnection, timeoutMs: number = DEFAULTS.amqp.publishTimeoutMs) {
    this.channel = new SideChannel(connection, { waitMs: timeoutMs });
  }

  /** Declares the record queue (before a tick is published with a CC to it: a CC to a missing queue is dropped). */
  async declare(record: string): Promise<void> {
    await this.channel.bounded(`declaring ${record}`, (channel) =>
      this.channel.assertQueue(channel, record, {
        durable: true,
        arguments: { 'x-max-length': 1, 'x-expires': DEFAULTS.schedule.recordExpiresMs, 'x-queue-type': 'classic' },
      }),
    );
  }

  /** The last tick recorded (ms since the epoch), or undefined when none is. The message stays. */
  async lastTick(record: string): Promise<number | undefined> {
    await this.declare(record);
    return this.channel.bounded(`reading ${record}`, async (channel) => {
      const message = await channel.get(record, { noAck: false });
      if (message === false) return undefined;
      channel.nack(message, false, true);
      const tick = Number(message.properties.headers?.[SCHEDULE_HEADERS.tick]);
      return Number.isFinite(tick) ? tick : undefined;
    });
  }

  /** Records a tick without a job (one the job class's enqueue callbacks or unique lock declined), confirmed. */
  async write(record: string, scheduleName: string, tick: number): Promise<void> {
    await this.declare(record);
    const headers = { [SCHEDULE_HEADERS.schedule]: scheduleName, [SCHEDULE_HEADERS.tick]: tick };
    const written = await this.channel.bounded(`recording a tick in ${record}`, (channel) =>
      SideChannel.publishConfirmed(channel, record, Buffer.from(String(tick)), { persistent: true, headers }),
    );
    if (!written) throw new Error(`the broker refused the record of schedule ${scheduleName}`);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
