import type { Envelope } from './envelope.js';

/**
 * Envelopes warren has just built from a job with freshly written arguments
 * (job/enqueuing.ts, prepareEnvelope): the argument writer checked the arguments and enqueued_at
 * was formatted from `new Date()`, so a codec need not walk or parse those again. Anything
 * else, an envelope from a caller, a retry re-sending received arguments, is checked in full.
 *
 * The mark is a non-enumerable symbol property (a spread copy does not inherit it, JSON does not
 * see it) rather than a WeakSet entry: a WeakSet entry per job kept envelopes alive through
 * young-generation collections until the next full one (docs/performance.md).
 */
const PREPARED = Symbol('warren.preparedEnvelope');

export function markPrepared(envelope: Envelope): Envelope {
  Object.defineProperty(envelope, PREPARED, { value: true });
  return envelope;
}

export function isPrepared(envelope: Envelope): boolean {
  return (envelope as Envelope & { [PREPARED]?: boolean })[PREPARED] === true;
}
