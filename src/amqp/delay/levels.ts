/**
 * The arithmetic of the delay ladder. Glossary:
 * - level k: a queue whose messages all wait 2^k ms (`x-message-ttl`), then dead-letter on to
 *   the next lower level the job waits in, or to its queue; 1 ms is the unit.
 * - ladder delay: the part of a job's delay spent in the ladder, as a binary number whose set
 *   bits are the levels the job waits in (5 ms = levels 2 and 0).
 * - hop: one expiry -> dead-letter -> next queue; a job takes popcount(ladder delay) hops.
 *
 * Routing uses direct exchanges only: topic matching on long keys and chains of alternate
 * exchanges were measured to cost the broker several times more per hop under load.
 */

/** The most levels a ladder may have: the top level's TTL, 2^37 ms (4.4 years), stays within RabbitMQ's ten-year TTL limit. */
export const MAX_LEVELS = 38;

/** Set bits of a non-negative safe integer. */
export function popcount(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** The TTL of level k, in ms. */
export function levelTtlMs(level: number): number {
  return 2 ** level;
}

/** Whether bit `level` of `ladderDelayMs` is set, i.e. the job waits in that level. */
export function waitsInLevel(ladderDelayMs: number, level: number): boolean {
  return Math.floor(ladderDelayMs / 2 ** level) % 2 === 1;
}

export interface Compensation {
  /** Assumed cost of each hop, ms. */
  hopAllowanceMs: number;
  /** Assumed cost paid once (publish, delivery to the worker), ms. */
  fixedAllowanceMs: number;
  /** Levels 0 .. levels-1 exist. */
  levels: number;
  /** Levels below this one are not used: the worker holds the remainder instead. Default 0. */
  lowestLevel?: number;
}

/** The longest ladder delay levels lowestLevel .. levels-1 can express: 2^levels - 2^lowestLevel ms. */
export function maxUsableLadderDelayMs(levels: number, lowestLevel = 0): number {
  return 2 ** levels - 2 ** lowestLevel;
}

/**
 * The ladder delay for a job due in `delayMs`: the largest x, a multiple of 2^lowestLevel, with
 * x + hopAllowanceMs × popcount(x) + fixedAllowanceMs <= delayMs, capped at the ladder's maximum.
 * So when hops cost no more than their allowance the job arrives early (and the worker holds it)
 * rather than late by the sum of its hops. 0 means: publish straight to the job's queue.
 */
export function compensatedLadderDelay(delayMs: number, compensation: Compensation): number {
  const { hopAllowanceMs, fixedAllowanceMs, levels } = compensation;
  const unit = 2 ** (compensation.lowestLevel ?? 0);
  const budget = Math.floor(delayMs) - fixedAllowanceMs;
  if (budget < unit + hopAllowanceMs) return 0;
  const max = maxUsableLadderDelayMs(levels, compensation.lowestLevel);
  if (budget >= max + hopAllowanceMs * levels) return max;
  // Every ladder delay takes at least one hop; count down from the largest candidate.
  let ladder = Math.min(max, Math.floor((budget - hopAllowanceMs) / unit) * unit);
  while (ladder > 0 && ladder + hopAllowanceMs * popcount(ladder) > budget) ladder -= unit;
  return Math.max(0, ladder);
}

/** The levels a ladder delay waits in, highest first (5 ms: [2, 0]). */
export function levelsOf(ladderDelayMs: number, levels: number): number[] {
  const result: number[] = [];
  for (let level = levels - 1; level >= 0; level -= 1) if (waitsInLevel(ladderDelayMs, level)) result.push(level);
  return result;
}

/** Where a hop starts: the entry exchange, or the exchange a level's queue dead-letters to. */
export type HopOrigin = number | 'in';

/**
 * The routing key that takes a delayed job from `from` into level `to`'s queue: `in>5`, `5>2`.
 * The exchange of level k (where level k's queue dead-letters) binds `k>j` to level j's queue
 * for every j < k; the entry exchange binds `in>j` for every level.
 */
export function hopKey(from: HopOrigin, to: number): string {
  return `${from}>${to}`;
}

/** The routing key that takes a due job from the delivery exchange into its queue: `=mailers`. */
export function deliveryKey(queueName: string): string {
  return `=${queueName}`;
}

/**
 * The routing keys of a delayed job (ladder delay > 0): one hop key per level it waits in, then
 * its delivery key. The first is the publish routing key; the others travel in the `CC` header.
 * Dead-lettering keeps every key, and each exchange on the way matches exactly one of them (or
 * none: then its alternate exchange, the delivery exchange, matches the delivery key).
 */
export function delayRoutingKeys(queueName: string, ladderDelayMs: number, levels: number): string[] {
  const waits = levelsOf(ladderDelayMs, levels);
  const hops = waits.map((level, index) => hopKey(index === 0 ? 'in' : waits[index - 1]!, level));
  return [...hops, deliveryKey(queueName)];
}

/**
 * Why a queue cannot receive delayed jobs, or undefined when it can: its delivery key (`=` and
 * the name) must fit in a routing key's 255 bytes. Any other name works: the ladder routes with
 * direct exchanges, so dots and `*` or `#` in names are plain characters.
 */
export function delayQueueNameProblem(queueName: string): string | undefined {
  if (queueName.length === 0) return 'an empty queue name cannot receive delayed jobs';
  if (Buffer.byteLength(deliveryKey(queueName)) > 255) {
    return `queue "${queueName}" is ${Buffer.byteLength(queueName)} bytes; delayed jobs are routed by "=" and the queue name, which must fit in 255 bytes, so the name may have at most 254 bytes`;
  }
  return undefined;
}
