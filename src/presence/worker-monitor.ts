import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { describeConnectFailure } from '../amqp/connect-failure.js';
import { AmqpConnection, type AmqpConnectionOptions } from '../amqp/connection.js';
import { EnvelopeSigner, type SigningOptions } from '../amqp/signing.js';
import { settings } from '../config/configuration.js';
import { DEFAULTS } from '../config/defaults.js';
import { AdapterError, ConfigurationError, ConnectionRefusedError } from '../errors.js';
import { markPaused, markResumed, pausedAmong } from '../amqp/queue-pauses.js';
import { encodeControl, type ControlCommand } from './control-message.js';
import { parseHeartbeat, type WorkerHeartbeat } from './heartbeat.js';

/** Workers a monitor keeps track of at most (a fleet larger than this shows its most recently heard). */
const MAX_WORKERS_HEARD = 2_000;

export interface WorkerMonitorOptions extends AmqpConnectionOptions {
  /** Signs the control messages (workers with `signing` obey only signed ones). Needs a key to sign with. */
  signing?: SigningOptions;
  /** How long `open()` waits for the broker before failing. Default: 10 s. */
  connectTimeoutMs?: number;
}

/** Who a control message is for: one worker's id, or every worker. */
export type WorkerTarget = string | 'all';

/**
 * Sees the live workers and steers them, for `warren stats`, `warren workers` and the
 * dashboard. It listens to the heartbeat exchange on an exclusive queue of its own and keeps
 * each worker's last heartbeat; a worker not heard from for DEFAULTS.presence.heartbeatTtlMs,
 * or whose last heartbeat says `stopped`, is gone. `workers({ refresh: true })` first pings every
 * worker (each answers with a heartbeat at once), so a new reader need not wait a beat.
 */
export class WorkerMonitor {
  private readonly heard = new Map<string, { heartbeat: WorkerHeartbeat; receivedAt: number }>();

  private constructor(
    private readonly connection: AmqpConnection,
    private readonly wrapper: ChannelWrapper,
    private readonly signer: EnvelopeSigner | undefined,
  ) {}

  static async open(options: WorkerMonitorOptions = {}): Promise<WorkerMonitor> {
    const signer = options.signing ? new EnvelopeSigner(options.signing) : undefined;
    signer?.assertCanSign();
    const logger: Logger = options.logger ?? settings().logger;
    const connection = new AmqpConnection('consume', { ...options, logger, connectionName: options.connectionName ?? 'warren monitor' });
    let monitor: WorkerMonitor | undefined;
    const { heartbeatExchange, controlExchange } = DEFAULTS.presence;
    const wrapper = connection.createChannel({
      name: 'monitor',
      json: false,
      setup: async (channel: Channel) => {
        await channel.assertExchange(heartbeatExchange, 'fanout', { durable: true });
        await channel.assertExchange(controlExchange, 'direct', { durable: true });
        const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
        await channel.bindQueue(queue, heartbeatExchange, '');
        await channel.consume(queue, (message) => monitor?.onHeartbeat(message), { noAck: true });
      },
    });
    wrapper.on('error', () => {});
    monitor = new WorkerMonitor(connection, wrapper, signer);
    try {
      await connected(connection, wrapper, options.connectTimeoutMs ?? 10_000);
    } catch (error) {
      await monitor.close();
      throw error;
    }
    return monitor;
  }

  /**
   * Keeps the worker's latest heartbeat. Whatever arrives is checked and never throws (a throw
   * here would close the monitor's connection); at most MAX_WORKERS_HEARD are kept, the least
   * recently heard dropped first, so a flood of forged ids cannot grow the map without bound.
   */
  private onHeartbeat(message: ConsumeMessage | null): void {
    if (!message) return;
    try {
      const heartbeat = parseHeartbeat(message.content);
      if (!heartbeat) return;
      this.heard.delete(heartbeat.id); // re-inserted last: the Map's order is the order heard
      if (heartbeat.state === 'stopped') return;
      this.heard.set(heartbeat.id, { heartbeat, receivedAt: Date.now() });
      if (this.heard.size > MAX_WORKERS_HEARD) this.heard.delete(this.heard.keys().next().value as string);
    } catch {
      // ignored like any malformed heartbeat
    }
  }

  /**
   * The live workers, by host and pid. `refresh`: ping them all first and wait
   * DEFAULTS.presence.refreshWaitMs for their answers (needed right after open).
   */
  async workers(options: { refresh?: boolean } = {}): Promise<WorkerHeartbeat[]> {
    if (options.refresh) {
      await this.send('all', { command: 'ping' });
      await new Promise((resolve) => setTimeout(resolve, DEFAULTS.presence.refreshWaitMs));
    }
    const now = Date.now();
    const live: WorkerHeartbeat[] = [];
    for (const [id, { heartbeat, receivedAt }] of this.heard) {
      if (now - receivedAt > DEFAULTS.presence.heartbeatTtlMs) this.heard.delete(id);
      else live.push(heartbeat);
    }
    return live.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid || a.id.localeCompare(b.id));
  }

  /** Stop taking new jobs, finish the running ones. */
  quiet(target: WorkerTarget): Promise<void> {
    return this.send(target, { command: 'quiet' });
  }

  /** Graceful stop, as SIGTERM. */
  stop(target: WorkerTarget): Promise<void> {
    return this.send(target, { command: 'stop' });
  }

  /** Aborts the signal of the running job with this id, wherever it runs (or on one worker). */
  cancel(jobId: string, target: WorkerTarget = 'all'): Promise<void> {
    return this.send(target, { command: 'cancel', jobId });
  }

  /**
   * Pauses `queue` for every worker: its marker is declared on the broker (so workers started
   * later, and workers that reconnect, stay off it), then every worker is told at once. Jobs
   * keep arriving and wait in the queue; running ones finish. `resume` undoes it.
   */
  async pause(queue: string): Promise<void> {
    await markPaused(this.liveConnection(), checkedQueueName(queue));
    await this.send('all', { command: 'pause', queue });
  }

  /** Every worker takes jobs from `queue` again. */
  async resume(queue: string): Promise<void> {
    await markResumed(this.liveConnection(), checkedQueueName(queue));
    await this.send('all', { command: 'resume', queue });
  }

  /** Which of `queues` are paused. */
  paused(queues: readonly string[]): Promise<Set<string>> {
    return pausedAmong(this.liveConnection(), queues);
  }

  private liveConnection(): NonNullable<AmqpConnection['current']> {
    const model = this.connection.current;
    if (!model) throw new AdapterError('the monitor is not connected to the broker');
    return model;
  }

  /** Publishes a control message (confirmed by the broker). */
  async send(target: WorkerTarget, command: ControlCommand): Promise<void> {
    const { body, headers } = encodeControl(command, target, this.signer);
    await this.wrapper.publish(DEFAULTS.presence.controlExchange, target, body, {
      contentType: 'application/json',
      type: `warren.control.${command.command}`,
      headers,
      persistent: false,
      expiration: String(DEFAULTS.presence.controlMaxAgeMs),
      timeout: DEFAULTS.amqp.publishTimeoutMs,
    });
  }

  async close(): Promise<void> {
    await this.wrapper.close().catch(() => {});
    await this.connection.close();
  }
}

/** Resolves once the channel is set up; a refused login fails at once, an unreachable broker after `timeoutMs`. */
function connected(connection: AmqpConnection, wrapper: ChannelWrapper, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let last: string | undefined;
    const timer = setTimeout(() => {
      finish();
      reject(new AdapterError(`cannot reach the broker at ${connection.endpoint} within ${timeoutMs} ms${last ? `: ${last}` : ''}`));
    }, timeoutMs);
    const onFailed = ({ endpoint, error, permanent }: { endpoint: string; error: Error; permanent: boolean }): void => {
      last = describeConnectFailure(endpoint, error);
      if (!permanent) return;
      finish();
      reject(new ConnectionRefusedError(last, { cause: error }));
    };
    const finish = (): void => {
      clearTimeout(timer);
      connection.events.off('connection:failed', onFailed);
    };
    connection.events.on('connection:failed', onFailed);
    wrapper.waitForConnect().then(() => {
      finish();
      resolve();
    }, reject);
  });
}

function checkedQueueName(queue: string): string {
  if (typeof queue !== 'string' || queue.length === 0 || Buffer.byteLength(queue) > 255) {
    throw new ConfigurationError(`a queue name is 1 to 255 bytes (got ${JSON.stringify(String(queue).slice(0, 80))})`);
  }
  return queue;
}
