import { DEFAULTS } from '../config/defaults.js';

interface KeyWindow {
  /** When this key's current measuring window began (performance.now()). */
  from: number;
  attempts: number;
  granted: number;
  /** How many windows a refused start is spread over. */
  span: number;
}

/**
 * How far ahead a start refused by a limit (a rate permit, a concurrency slot) is published again,
 * per key, adapted to what this process sees. With a backlog of N jobs that all come back every
 * window, N jobs compete each window for what the limit frees: a backlog of 750 at 50 per second
 * made 1,500 attempts a second, and the churn (an attempt, a republish through the delay ladder,
 * an ack each) loaded the machine so much that granted jobs started late (bench/README.md, "Rate
 * limits"); 1,000 jobs waiting for one account's slot would come back about 700 times a second.
 * So each window's share of refused attempts widens or narrows the spread, aiming at about
 * DEFAULTS.flow.retryAttemptsPerGrant attempts per grant: enough that what is freed is taken at
 * once, few enough to cost little. The share refused is the same in every process that competes
 * for the key, so the processes agree without talking. Pure: tested in
 * test/unit/worker/retry-spread.test.ts.
 */
export class RetrySpread {
  private readonly keys = new Map<string, KeyWindow>();

  /** Records one attempt of `key` (granted or not) in windows of `per` ms and returns the spread, in windows, for a refused start. */
  record(key: string, per: number, granted: boolean, now: number = performance.now()): number {
    let window = this.keys.get(key);
    if (!window) {
      if (this.keys.size >= DEFAULTS.flow.retrySpreadKeys) this.keys.clear(); // many keys: start over rather than grow
      window = { from: now, attempts: 0, granted: 0, span: 1 };
      this.keys.set(key, window);
    }
    if (now - window.from >= per) this.close(window, per, now);
    window.attempts += 1;
    if (granted) window.granted += 1;
    return window.span;
  }

  private close(window: KeyWindow, per: number, now: number): void {
    const { retryAttemptsPerGrant: target, retryMaxSpread: most } = DEFAULTS.flow;
    const idleWindows = Math.floor((now - window.from) / per) - 1;
    if (window.attempts >= MIN_ATTEMPTS) {
      // Attempts per grant above the target widen the spread, below it narrow it (a window with no grant counts as twice the target).
      const perGrant = window.granted > 0 ? window.attempts / window.granted : target * 2;
      window.span *= Math.min(MAX_STEP, Math.max(1 / MAX_STEP, perGrant / target));
    }
    // Windows with no attempt at all: the backlog has thinned, narrow the spread for each.
    if (idleWindows > 0) window.span /= 2 ** Math.min(idleWindows, 30);
    window.span = Math.min(most, Math.max(1, window.span));
    window.from = now;
    window.attempts = 0;
    window.granted = 0;
  }
}

/** Fewer attempts in a window than this say too little to change the spread. */
const MIN_ATTEMPTS = 4;
/** The most the spread changes in one window, either way: it follows a backlog without swinging. */
const MAX_STEP = 2;
