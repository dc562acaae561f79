/**
 * The arithmetic of the delay ladder. Glossary:
 * - level k: a queue whose messages all wait 2^k ms (`x-message-ttl`), then dead-letter to the
 *   level below; 1 ms is the unit.
 * - ladder delay: the part of a job's delay spent in the ladder, as a binary number whose set
 *   bits are the levels the job waits in (5 ms = levels 2 and 0).
 * - hop: one expiry -> dead-letter -> next queue; a job takes popcount(ladder delay) hops.
 */

/** The most levels a ladder may have: the top level's TTL, 2^37 ms (4.4 years), stays within RabbitMQ's ten-year TTL limit. */
export const MAX_LEVELS = 38;

/** Set bits of a non-negative safe integer. */
export function popcount(value: number): number {
  let count = 0;
  for (let rest = value; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

/** The longest ladder delay `levels` levels can express: 2^levels - 1 ms. */
export function maxLadderDelayMs(levels: number): number {
  return 2 ** levels - 1;
}

/** The TTL of level k, in ms. */
export function levelTtlMs(level: number): number {
  return 2 ** level;
}

/** Whether bit `level` of `ladderDelayMs` is set, i.e. the job waits in that level. */
export function waitsInLevel(ladderDelayMs: number, level: number): boolean {
  return Math.floor(ladderDelayMs / 2 ** level) % 2 === 1;
}

/** The highest level a ladder delay (> 0) waits in: the level it is published to. */
export function highestLevel(ladderDelayMs: number): number {
  let level = 0;
  while (2 ** (level + 1) <= ladderDelayMs) level += 1;
  return level;
}

export interface Compensation {
  /** Assumed cost of each hop, ms. */
  hopAllowanceMs: number;
  /** Assumed cost paid once (publish, delivery to the worker), ms. */
  fixedAllowanceMs: number;
  levels: number;
}

/**
 * The ladder delay for a job due in `delayMs`: the largest x with
 * x + hopAllowanceMs × popcount(x) + fixedAllowanceMs <= delayMs, capped at the ladder's maximum.
 * So when hops cost no more than their allowance the job arrives early (and the worker holds it)
 * rather than late by the sum of its hops. 0 means: publish straight to the job's queue.
 */
export function compensatedLadderDelay(delayMs: number, compensation: Compensation): number {
  const { hopAllowanceMs, fixedAllowanceMs, levels } = compensation;
  const budget = Math.floor(delayMs) - fixedAllowanceMs;
  if (budget <= 0) return 0;
  const max = maxLadderDelayMs(levels);
  if (budget >= max + hopAllowanceMs * levels) return max;
  // Every ladder delay takes at least one hop; count down from the largest candidate.
  let ladder = Math.min(max, budget - hopAllowanceMs);
  while (ladder > 0 && ladder + hopAllowanceMs * popcount(ladder) > budget) ladder -= 1;
  return Math.max(0, ladder);
}

/** The ladder delay as routing-key words, most significant level first: `1.0.1` is 5 ms on a 3-level ladder. */
export function delayWords(ladderDelayMs: number, levels: number): string {
  const words: string[] = [];
  for (let level = levels - 1; level >= 0; level -= 1) words.push(waitsInLevel(ladderDelayMs, level) ? '1' : '0');
  return words.join('.');
}

/**
 * The routing key of a delayed job: its destination queue's name, then one word per level.
 * It stays the same through every hop (dead-lettering keeps the routing key).
 */
export function delayRoutingKey(queueName: string, ladderDelayMs: number, levels: number): string {
  return `${queueName}.${delayWords(ladderDelayMs, levels)}`;
}

/**
 * The binding of level k's queue on level k's exchange: keys whose word for level k is 1
 * (counted from the end, so dots in the queue name do not matter). Keys whose word is 0 are
 * not routed there and fall through to the exchange's alternate exchange, the level below.
 */
export function levelBindingPattern(level: number): string {
  return `#.1${'.*'.repeat(level)}`;
}

/**
 * The binding of a job queue on the delivery exchange: its name followed by exactly one word
 * per level, so queue `a` never receives the jobs of queue `a.b`.
 */
export function deliveryBindingPattern(queueName: string, levels: number): string {
  return `${queueName}${'.*'.repeat(levels)}`;
}

/**
 * Why a queue cannot receive delayed jobs, or undefined when it can: its name becomes the
 * start of a topic routing key and of a binding pattern, so no word of it may be `*` or `#`
 * (they would match other queues' jobs), and the key must fit in 255 bytes.
 */
export function delayQueueNameProblem(queueName: string, levels: number): string | undefined {
  if (queueName.length === 0) return 'an empty queue name cannot be part of a routing key';
  if (queueName.split('.').some((word) => word === '*' || word === '#')) {
    return `queue "${queueName}" has a "*" or "#" word (between dots): in a topic binding it would match other queues' delayed jobs; rename the queue`;
  }
  const limit = 255 - 2 * levels;
  if (Buffer.byteLength(queueName) > limit) {
    return `queue "${queueName}" is ${Buffer.byteLength(queueName)} bytes; delayed jobs carry the queue name and ${levels} delay words in a routing key of at most 255 bytes, so the name may have at most ${limit} bytes`;
  }
  return undefined;
}
