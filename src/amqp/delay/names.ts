/**
 * What the ladder's level queues are:
 * - `quorum` (the default): quorum queues with at-least-once dead-lettering
 *   (`x-dead-letter-strategy: at-least-once`, `x-overflow: reject-publish`). A level keeps a
 *   message until the next queue confirmed it, so a broker stop or restart while jobs move
 *   between levels loses none (a few may arrive twice). Needs RabbitMQ 3.10+.
 * - `classic`: the ladder of warren 0.1 (classic queues). Dead-lettering out of a classic queue
 *   is at-most-once: a broker stop at the instant of a hop can drop the job without trace.
 */
export type LadderQueueType = 'quorum' | 'classic';

/** The names of the delay ladder's exchanges and queues under one prefix. */
export interface DelayNames {
  /** Where delayed jobs are published (direct): `<prefix>.quorum.in` (classic ladder: `<prefix>.in`). */
  readonly entryExchange: string;
  /**
   * Level k's queue, and (k >= 1) the direct exchange it dead-letters to, share the name
   * `<prefix>.quorum.<kk>` (`warren.delay.quorum.07`; classic ladder: `warren.delay.07`).
   */
  level(level: number): string;
  /**
   * Where due jobs go (direct): bound to every job queue by `=<queue>`. Shared by both kinds of
   * ladder, so jobs still waiting in an old classic ladder reach queues declared after an upgrade.
   */
  readonly deliveryExchange: string;
  /** The delivery exchange's alternate exchange (fanout): delayed jobs no queue takes go to the dead-letter queue. */
  readonly undeliverableExchange: string;
}

/**
 * The ladder's names. The two kinds of ladder have their own entry exchange and levels (a queue
 * cannot change type in place), so both can stand side by side while an old one drains.
 */
export function delayNames(prefix: string, queueType: LadderQueueType = 'quorum'): DelayNames {
  const ladder = queueType === 'quorum' ? `${prefix}.quorum` : prefix;
  return Object.freeze({
    entryExchange: `${ladder}.in`,
    level: (level: number) => `${ladder}.${String(level).padStart(2, '0')}`,
    deliveryExchange: `${prefix}.deliver`,
    undeliverableExchange: `${prefix}.undeliverable`,
  });
}
