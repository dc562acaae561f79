import { createHash } from 'node:crypto';
import { DEFAULTS } from '../../config/defaults.js';
import type { Envelope } from '../../envelope/envelope.js';
import { AdapterError } from '../../errors.js';
import { MAX_MESSAGE_TTL_MS, type QueueSpec, type RouteSpec } from '../../topology/index.js';
import type { DelayScheduler, PublishTarget } from './scheduler.js';

export interface TtlQueueDelaysOptions {
  /** Name prefix of the generated delay queues. Default: DEFAULTS.amqp.ttlDelayQueuePrefix. */
  queuePrefix?: string;
  /** Significant bits a delay is rounded up to. Default: DEFAULTS.amqp.ttlDelayPrecisionBits. */
  precisionBits?: number;
  /** x-expires of a delay queue = its TTL + this. Default: DEFAULTS.amqp.ttlDelayQueueIdleMs. */
  idleMs?: number;
}

/** The smallest value >= `delayMs` with at most `bits` significant bits: never early, at most 1/2^(bits-1) late. */
export function roundDelayUp(delayMs: number, bits: number): number {
  const delay = Math.max(1, Math.ceil(delayMs));
  if (delay <= 2 ** bits) return delay;
  const step = 2 ** (Math.floor(Math.log2(delay)) - bits + 1);
  return Math.ceil(delay / step) * step;
}

const MAX_QUEUE_NAME_BYTES = 255;

/**
 * Delays with plain TTL queues, no broker plugin: a job due in d ms is published to a
 * durable queue whose `x-message-ttl` is d rounded up (see roundDelayUp), and which
 * dead-letters into the job's own route when the time is up. Every message in one delay
 * queue has the same TTL, so none waits behind a longer one (the head-of-line problem of
 * per-message expiration), and the job keeps its properties (priority included).
 *
 * Each (delay, route) pair gets its own queue, declared on first use and refreshed while
 * in use; the broker deletes it (`x-expires`) once it has been idle for its TTL plus
 * `idleMs`, long after its last message left. Dead-lettering from classic queues is
 * at-most-once inside the broker (a broker crash in that instant can drop the message).
 *
 * This is the interim delay mechanism; the delay ladder (DelayLadder) replaces it behind
 * the same DelayScheduler interface.
 */
export class TtlQueueDelays implements DelayScheduler {
  readonly supportsDelays = true;
  private readonly prefix: string;
  private readonly bits: number;
  private readonly idleMs: number;

  constructor(options: TtlQueueDelaysOptions = {}) {
    this.prefix = options.queuePrefix ?? DEFAULTS.amqp.ttlDelayQueuePrefix;
    this.bits = options.precisionBits ?? DEFAULTS.amqp.ttlDelayPrecisionBits;
    this.idleMs = options.idleMs ?? DEFAULTS.amqp.ttlDelayQueueIdleMs;
  }

  /** The longest delay: RabbitMQ refuses an x-expires above ten years. */
  get maxDelayMs(): number {
    return MAX_MESSAGE_TTL_MS - this.idleMs;
  }

  /** How long a caller may cache a delay queue's declaration: redeclaring resets its x-expires. */
  get refreshMs(): number {
    return Math.floor(this.idleMs / 2);
  }

  targetFor(route: RouteSpec, delayMs: number, envelope: Envelope): PublishTarget {
    const ttl = roundDelayUp(delayMs, this.bits);
    if (ttl > this.maxDelayMs) {
      throw new AdapterError(
        `cannot delay job ${envelope.job_class} (${envelope.job_id}) by ${delayMs} ms: the longest delay is ${this.maxDelayMs} ms (about ten years)`,
      );
    }
    const queue = this.queueFor(route, ttl);
    return { exchange: '', routingKey: queue.name, queues: [queue] };
  }

  private queueFor(route: RouteSpec, ttl: number): QueueSpec {
    const destination = `${route.exchange || 'amq.default'}.${route.routingKey}`;
    let name = `${this.prefix}.${ttl}ms.${destination}`;
    if (Buffer.byteLength(name) > MAX_QUEUE_NAME_BYTES) {
      name = `${this.prefix}.${ttl}ms.${createHash('sha256').update(destination).digest('hex').slice(0, 32)}`;
    }
    return {
      name,
      type: 'classic',
      durable: true,
      maxPriority: undefined,
      messageTtlMs: ttl,
      deadLetterExchange: route.exchange,
      deadLetterRoutingKey: route.routingKey,
      consumerTimeoutMs: undefined,
      deliveryLimit: undefined,
      arguments: { 'x-expires': ttl + this.idleMs },
      origin: 'generated',
    };
  }
}
