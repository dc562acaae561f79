/** The names of the delay ladder's exchanges and queues under one prefix. */
export interface DelayNames {
  /** Level k's exchange and its queue share the name `<prefix>.<kk>` (`warren.delay.07`). */
  level(level: number): string;
  /** Where the last level dead-letters: a topic exchange bound to every job queue. */
  readonly deliveryExchange: string;
  /** The delivery exchange's alternate exchange: delayed jobs no queue takes go to the dead-letter queue through it. */
  readonly undeliverableExchange: string;
}

export function delayNames(prefix: string): DelayNames {
  return Object.freeze({
    level: (level: number) => `${prefix}.${String(level).padStart(2, '0')}`,
    deliveryExchange: `${prefix}.deliver`,
    undeliverableExchange: `${prefix}.undeliverable`,
  });
}
