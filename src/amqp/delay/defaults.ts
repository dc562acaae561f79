/**
 * Defaults of delayed delivery. (They belong in DEFAULTS in src/config/defaults.ts; they live
 * here until the lead moves them, and are not repeated anywhere else.)
 */
export const DELAY_DEFAULTS = Object.freeze({
  /**
   * Prefix of the delay exchanges and queues: `warren.delay.00` .. `warren.delay.35`,
   * `warren.delay.deliver`, `warren.delay.undeliverable`.
   */
  prefix: 'warren.delay',
  /**
   * Number of ladder levels. Level k is a queue whose messages all wait 2^k ms, so 36 levels
   * cover any delay up to 2^36 - 1 ms (about 2.18 years) in at most 36 hops. Longer delays wait
   * the ladder's maximum, and the worker sends them round again for the rest.
   */
  levels: 36,
  /**
   * The shortest level used: 2^5 = 32 ms. The last < 32 ms of a delay is held by the worker,
   * which is more precise than a TTL hop and saves about 2.5 hops per delayed job.
   */
  lowestLevel: 5,
  /**
   * What each TTL hop (expiry -> dead-letter -> next queue) is assumed to cost, in ms. The ladder
   * delay is shortened by this much per hop so a job arrives a little early, never late by the
   * sum of its hops; the worker holds it until it is due. Measured on RabbitMQ 3.10 with Nagle
   * off: about 2 ms at p50 and 3-5 ms at p99 per hop.
   */
  hopAllowanceMs: 4,
  /** Subtracted once from every ladder delay: publish -> first queue and last queue -> consumer. */
  fixedAllowanceMs: 2,
  /**
   * A delivery that arrives before its due time by at most this much is held (unacked, in one
   * prefetch slot) until due; one earlier than that is published into the ladder again for the
   * remaining time and acked once the broker confirmed it.
   */
  maxHoldMs: 1_000,
});
