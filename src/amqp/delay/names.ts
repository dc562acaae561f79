/** The names of the delay ladder's exchanges and queues under one prefix. */
export interface DelayNames {
  /** Where delayed jobs are published (direct): `<prefix>.in`. */
  readonly entryExchange: string;
  /**
   * Level k's queue, and (k >= 1) the direct exchange it dead-letters to, share the name
   * `<prefix>.<kk>` (`warren.delay.07`).
   */
  level(level: number): string;
  /** Where due jobs go (direct): bound to every job queue by `=<queue>`. */
  readonly deliveryExchange: string;
  /** The delivery exchange's alternate exchange (fanout): delayed jobs no queue takes go to the dead-letter queue. */
  readonly undeliverableExchange: string;
}

export function delayNames(prefix: string): DelayNames {
  return Object.freeze({
    entryExchange: `${prefix}.in`,
    level: (level: number) => `${prefix}.${String(level).padStart(2, '0')}`,
    deliveryExchange: `${prefix}.deliver`,
    undeliverableExchange: `${prefix}.undeliverable`,
  });
}
