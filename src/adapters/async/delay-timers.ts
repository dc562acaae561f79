/** setTimeout's limit: longer delays fire at once, so they are waited for in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Timers for delayed jobs, each firing no earlier than its timestamp, however far away. */
export class DelayTimers {
  readonly #pending = new Map<symbol, NodeJS.Timeout>();

  get size(): number {
    return this.#pending.size;
  }

  /** Call `fire` at `timestamp` (ms since the epoch). */
  add(timestamp: number, fire: () => void): void {
    const key = Symbol('delayed job');
    const arm = (): void => {
      const remaining = timestamp - Date.now();
      if (remaining <= 0) {
        this.#pending.delete(key);
        fire();
        return;
      }
      this.#pending.set(key, setTimeout(arm, Math.min(remaining, MAX_TIMEOUT_MS)));
    };
    arm();
  }

  clear(): void {
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
  }
}
