import { DEFAULTS } from '../../config/defaults.js';
import { ConfigurationError } from '../../errors.js';
import { MAX_LEVELS } from './levels.js';
import type { LadderQueueType } from './names.js';

/** Options of delayed delivery through the TTL-queue ladder (see DelayLadder). */
export interface DelayOptions {
  /**
   * Prefix of every delay exchange and queue. Producers and workers of one application must
   * use the same prefix; tests give each run its own. Default: DEFAULTS.delay.prefix ('warren.delay').
   */
  prefix?: string;
  /**
   * What the level queues are (see LadderQueueType): `quorum`, whose at-least-once
   * dead-lettering keeps jobs through a broker restart, or `classic`, warren 0.1's ladder,
   * at-most-once between levels. Producers and workers must agree. Default: DEFAULTS.delay.queueType.
   */
  queueType?: LadderQueueType;
  /**
   * Ladder levels (1..38); the longest delay one pass through the ladder expresses is
   * 2^levels - 1 ms. Changing it changes the routing keys: producers and workers must agree.
   * Default: DEFAULTS.delay.levels (36, about 2.18 years).
   */
  levels?: number;
  /**
   * The shortest level the ladder uses (its TTL is 2^lowestLevel ms). The last part of a delay
   * below that is held by the worker instead: fewer hops, less broker work and jitter, at the
   * cost of a prefetch slot for up to 2^lowestLevel ms more. 0 uses every level down to 1 ms.
   * Default: DEFAULTS.delay.lowestLevel.
   */
  lowestLevel?: number;
  /** Assumed cost of one TTL hop, subtracted per hop from the ladder delay. Default: DEFAULTS.delay.hopAllowanceMs. */
  hopAllowanceMs?: number;
  /** Assumed cost paid once per delayed job (publish and delivery). Default: DEFAULTS.delay.fixedAllowanceMs. */
  fixedAllowanceMs?: number;
  /**
   * Queue for delayed jobs that no queue takes when they are due (their queue was deleted or
   * unbound while they waited): they are kept there instead of being dropped by the broker.
   * The worker's dead letters go to the same queue by default. Default: DEFAULTS.amqp.deadLetterQueue.
   */
  deadLetterQueue?: string;
}

export type ResolvedDelayOptions = Required<DelayOptions>;

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new ConfigurationError(`delay option ${name} must be a number of milliseconds >= 0, not ${String(value)}`);
  return value;
}

/** Options with their defaults, validated (ConfigurationError naming the option). */
export function resolveDelayOptions(options: DelayOptions = {}): ResolvedDelayOptions {
  const levels = options.levels ?? DEFAULTS.delay.levels;
  if (!Number.isInteger(levels) || levels < 1 || levels > MAX_LEVELS) {
    throw new ConfigurationError(`delay option levels must be a whole number from 1 to ${MAX_LEVELS}, not ${String(options.levels)}`);
  }
  const lowestLevel = options.lowestLevel ?? Math.min(DEFAULTS.delay.lowestLevel, levels - 1);
  if (!Number.isInteger(lowestLevel) || lowestLevel < 0 || lowestLevel >= levels) {
    throw new ConfigurationError(`delay option lowestLevel must be a whole number from 0 to levels - 1 (${levels - 1}), not ${String(options.lowestLevel)}`);
  }
  const prefix = options.prefix ?? DEFAULTS.delay.prefix;
  if (prefix.length === 0 || prefix.startsWith('amq.') || Buffer.byteLength(prefix) > 200) {
    throw new ConfigurationError(`delay option prefix must be 1 to 200 bytes and not start with "amq." (reserved by RabbitMQ), not "${prefix}"`);
  }
  const deadLetterQueue = options.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
  if (deadLetterQueue.length === 0) throw new ConfigurationError('delay option deadLetterQueue must be a queue name');
  const queueType = options.queueType ?? DEFAULTS.delay.queueType;
  if (queueType !== 'quorum' && queueType !== 'classic') {
    throw new ConfigurationError(`delay option queueType must be 'quorum' or 'classic', not ${JSON.stringify(queueType)}`);
  }
  return {
    prefix,
    queueType,
    levels,
    lowestLevel,
    hopAllowanceMs: nonNegative('hopAllowanceMs', options.hopAllowanceMs ?? DEFAULTS.delay.hopAllowanceMs),
    fixedAllowanceMs: nonNegative('fixedAllowanceMs', options.fixedAllowanceMs ?? DEFAULTS.delay.fixedAllowanceMs),
    deadLetterQueue,
  };
}
