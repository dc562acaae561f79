import type { Envelope } from './envelope.js';

/**
 * Envelopes warren has just built from a job (enqueue/prepare-envelope.ts): their times were
 * written from Dates and their arguments by the argument writer (or read by a codec), so a
 * codec need not parse those back to check them. Anything else, an envelope from a caller or
 * from the wire, is checked in full.
 */
const prepared = new WeakSet<Envelope>();

export function markPrepared(envelope: Envelope): Envelope {
  prepared.add(envelope);
  return envelope;
}

export function isPrepared(envelope: Envelope): boolean {
  return prepared.has(envelope);
}
