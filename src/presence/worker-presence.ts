import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpConnection } from '../amqp/connection.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { DEFAULTS } from '../config/defaults.js';
import { redactError } from '../support/redact.js';
import { checkControl, type ControlMessage } from './control-message.js';
import type { WorkerHeartbeat } from './heartbeat.js';
import { reportable } from './heartbeat-limits.js';

/** How often a worker reports itself; `false` in WorkerOptions turns heartbeats and control off. */
export interface PresenceOptions {
  /** Default: DEFAULTS.presence.heartbeatIntervalMs. */
  heartbeatIntervalMs?: number;
}

export interface WorkerPresenceOptions {
  id: string;
  intervalMs: number;
  /** The heartbeat as of now. */
  describe: () => WorkerHeartbeat;
  /** Carries out a control message addressed to this worker (or to all). */
  obey: (message: ControlMessage) => void;
  signer: EnvelopeSigner | undefined;
  logger: Logger;
}

/**
 * A worker's side of presence. Heartbeats go out on the worker's publishing connection (the
 * adapter's) every interval, non-persistent and expiring after DEFAULTS.presence.heartbeatTtlMs
 * so nothing piles up when nobody reads; control messages come in on the consuming connection,
 * through an exclusive, auto-deleted queue bound to the control exchange under `all` and the
 * worker's id. Never a publish on the consuming connection: under a resource alarm the broker
 * stops reading from any connection that publishes, and the worker's acks would stop with it.
 * Both channels are set up again on every reconnect; a heartbeat due while disconnected is
 * skipped, not queued. Failures here are logged and never reach the jobs.
 */
export class WorkerPresence {
  private readonly control: ChannelWrapper;
  private readonly heartbeats: ChannelWrapper;
  private readonly timer: NodeJS.Timeout;
  /** Ids of control messages obeyed lately: the same message delivered twice is obeyed once. */
  private readonly seen = new Map<string, number>();
  private closed = false;

  constructor(
    consuming: AmqpConnection,
    private readonly publishing: AmqpConnection,
    private readonly options: WorkerPresenceOptions,
  ) {
    const { heartbeatExchange, controlExchange } = DEFAULTS.presence;
    this.control = consuming.createChannel({
      name: 'presence control',
      json: false,
      setup: async (channel: Channel) => {
        await channel.assertExchange(controlExchange, 'direct', { durable: true });
        const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
        await channel.bindQueue(queue, controlExchange, 'all');
        await channel.bindQueue(queue, controlExchange, options.id);
        await channel.consume(queue, (message) => this.onControl(message), { noAck: true });
      },
    });
    this.heartbeats = publishing.createChannel({
      name: 'presence heartbeats',
      json: false,
      setup: async (channel: Channel) => {
        await channel.assertExchange(heartbeatExchange, 'fanout', { durable: true });
        void this.beat();
      },
    });
    for (const wrapper of [this.control, this.heartbeats]) {
      wrapper.on('error', (error: unknown) => options.logger.warn({ err: redactError(error) }, 'presence channel error'));
    }
    this.timer = setInterval(() => void this.beat(), options.intervalMs);
    this.timer.unref();
  }

  /** Publishes a heartbeat now (skipped while disconnected); resolves when the broker took it, or it failed. */
  beat(): Promise<void> {
    if (this.closed || !this.publishing.isConnected()) return Promise.resolve();
    let body: Buffer;
    try {
      body = Buffer.from(JSON.stringify(reportable(this.options.describe())));
    } catch (error) {
      this.options.logger.warn({ err: redactError(error) }, 'heartbeat could not be built');
      return Promise.resolve();
    }
    return this.heartbeats
      .publish(DEFAULTS.presence.heartbeatExchange, '', body, {
        contentType: 'application/json',
        type: 'warren.heartbeat',
        persistent: false,
        expiration: String(DEFAULTS.presence.heartbeatTtlMs),
        timeout: this.options.intervalMs,
      })
      .then(
        () => {},
        (error: unknown) => {
          if (!this.closed) this.options.logger.debug({ err: redactError(error) }, 'heartbeat not sent');
        },
      );
  }

  private onControl(message: ConsumeMessage | null): void {
    if (!message || this.closed) return;
    const check = checkControl(message.content, message.properties.headers, this.options.signer, this.options.id);
    if (!check.ok) {
      this.options.logger.warn({ why: check.why }, 'control message refused');
      return;
    }
    const now = Date.now();
    for (const [id, at] of this.seen) if (now - at > DEFAULTS.presence.controlMaxAgeMs * 2) this.seen.delete(id);
    if (this.seen.has(check.message.id)) return;
    this.seen.set(check.message.id, now);
    try {
      this.options.obey(check.message);
    } catch (error) {
      this.options.logger.warn({ err: redactError(error), command: check.message.command }, 'control message failed');
    }
  }

  /**
   * Sends a last heartbeat (the worker's state by then is `stopped`, so readers drop it at once),
   * stops the beats and leaves the control queue (the broker deletes it with the channel).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.beat();
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all([this.control.close().catch(() => {}), this.heartbeats.close().catch(() => {})]);
  }
}
