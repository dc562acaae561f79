import type { Envelope } from './envelope.js';

/**
 * Envelopes warren has just built from a job with freshly written arguments
 * (enqueue/prepare-envelope.ts): the argument writer checked the arguments and enqueued_at
 * was formatted from `new Date()`, so a codec need not walk or parse those again. Anything
 * else, an envelope from a caller, a retry re-sending received arguments, is checked in full.
 */
const prepared = new WeakSet<Envelope>();

export function markPrepared(envelope: Envelope): Envelope {
  prepared.add(envelope);
  return envelope;
}

export function isPrepared(envelope: Envelope): boolean {
  return prepared.has(envelope);
}
