/**
 * Retry delays, as pure functions (milliseconds). Active Job's formulas, with
 * seconds turned into milliseconds. `random` is injectable for deterministic tests.
 */

/** How long retryOn waits: ms, a function of the rule's executions, or 'polynomiallyLonger'. */
export type RetryWait = number | ((executions: number) => number) | 'polynomiallyLonger';

export type RandomSource = () => number;

/** Jitter: a random extra of up to `jitter` (a fraction) of the delay. */
export function jitterFor(delayMs: number, jitter: number, random: RandomSource = Math.random): number {
  if (jitter === 0) return 0;
  return random() * delayMs * jitter;
}

/**
 * Active Job's `:polynomially_longer`: (executions^4 + jitter + 2) seconds, so about
 * 3 s, 18 s, 83 s, 258 s, 627 s for executions 1..5 (without jitter).
 */
export function polynomiallyLonger(executions: number, jitter: number, random: RandomSource = Math.random): number {
  const base = executions ** 4;
  return Math.round((base + jitterFor(base, jitter, random) + 2) * 1000);
}

/** A fixed delay plus jitter. */
export function fixedDelay(delayMs: number, jitter: number, random: RandomSource = Math.random): number {
  return Math.round(delayMs + jitterFor(delayMs, jitter, random));
}

/**
 * The delay before retry number `executions` of a rule (1 for the first retry).
 * A function of executions gets no jitter added, as in Active Job.
 */
export function retryDelay(wait: RetryWait, executions: number, jitter: number, random: RandomSource = Math.random): number {
  if (wait === 'polynomiallyLonger') return polynomiallyLonger(executions, jitter, random);
  if (typeof wait === 'function') return Math.max(0, Math.round(wait(executions)));
  return fixedDelay(wait, jitter, random);
}
