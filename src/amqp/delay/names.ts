/**
 * What the ladder's level queues are:
 * - `quorum` (the default): quorum queues with at-least-once dead-lettering
 *   (`x-dead-letter-strategy: at-least-once`, `x-overflow: reject-publish`). A level keeps a
 *   message until the next queue confirmed it, so a broker stop or restart while jobs move
 *   between levels loses none (a few may arrive twice). Due jobs end in the ladder's own due
 *   queue, from which workers forward them to their queues with publisher confirms. Needs
 *   RabbitMQ 3.10+.
 * - `classic`: the ladder of warren 0.1 (classic queues, due jobs routed by the broker into
 *   their queues). Dead-lettering out of a classic queue is at-most-once: a broker stop at the
 *   instant of a hop can drop the job without trace.
 */
export type LadderQueueType = 'quorum' | 'classic';

/** The names of the delay ladder's exchanges and queues under one prefix. */
export interface DelayNames {
  readonly queueType: LadderQueueType;
  /** Where delayed jobs are published (direct): `<prefix>.quorum.in` (classic ladder: `<prefix>.in`). */
  readonly entryExchange: string;
  /**
   * Level k's queue, and (k >= 1) the direct exchange it dead-letters to, share the name
   * `<prefix>.quorum.<kk>` (`warren.delay.quorum.07`; classic ladder: `warren.delay.07`).
   */
  level(level: number): string;
  /** Where a job goes after its last level: the due exchange (quorum), the delivery exchange (classic). */
  readonly exit: string;
  /**
   * Quorum ladder: the fanout exchange and the quorum queue (same name, `<prefix>.quorum.due`)
   * where due jobs wait for a worker to forward them to their own queue. Undefined for classic.
   */
  readonly due: string | undefined;
  /**
   * Classic ladder: where due jobs go (direct), bound to every job queue by `=<queue>`, and its
   * alternate exchange (fanout) to the dead-letter queue. The quorum ladder declares neither,
   * but a broker upgraded from warren 0.1 keeps them, so jobs still in the old ladder drain.
   */
  readonly deliveryExchange: string;
  readonly undeliverableExchange: string;
  /** Every exchange the ladder declares with these levels (for cleanup and listings). */
  exchanges(levels: number, lowestLevel: number): string[];
  /** Every queue the ladder declares with these levels, highest level first, then the due queue. */
  queues(levels: number, lowestLevel: number): string[];
}

/**
 * The ladder's names. The two kinds of ladder have their own entry exchange and levels (a queue
 * cannot change type in place), so both can stand side by side while an old one drains.
 */
export function delayNames(prefix: string, queueType: LadderQueueType = 'quorum'): DelayNames {
  const ladder = queueType === 'quorum' ? `${prefix}.quorum` : prefix;
  const level = (k: number): string => `${ladder}.${String(k).padStart(2, '0')}`;
  const due = queueType === 'quorum' ? `${ladder}.due` : undefined;
  const deliveryExchange = `${prefix}.deliver`;
  const undeliverableExchange = `${prefix}.undeliverable`;
  const levelNames = (levels: number, lowestLevel: number): string[] => Array.from({ length: levels - lowestLevel }, (_, index) => level(levels - 1 - index));
  return Object.freeze({
    queueType,
    entryExchange: `${ladder}.in`,
    level,
    exit: due ?? deliveryExchange,
    due,
    deliveryExchange,
    undeliverableExchange,
    exchanges: (levels: number, lowestLevel: number) => [
      `${ladder}.in`,
      // The lowest level dead-letters to the exit, not to an exchange of its own.
      ...levelNames(levels, lowestLevel).slice(0, -1),
      ...(due ? [due] : [deliveryExchange, undeliverableExchange]),
    ],
    queues: (levels: number, lowestLevel: number) => [...levelNames(levels, lowestLevel), ...(due ? [due] : [])],
  });
}
