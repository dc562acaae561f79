import { isoTimeEpochMs } from './values/iso-time.js';

/**
 * Times as Rails 7.1 writes them in envelopes: ISO 8601, UTC, nine fractional digits
 * (`2024-05-01T12:00:00.123000000Z`). JavaScript dates carry milliseconds, so the last
 * six digits are zeros.
 */
export function toRailsTimestamp(date: Date): string {
  // toISOString always ends in ".sssZ".
  return `${date.toISOString().slice(0, -1)}000000Z`;
}

/**
 * Read an envelope time: an ISO 8601 string (any number of fractional digits), or a
 * number of seconds since the epoch (older Rails wrote `scheduled_at` that way).
 * Returns undefined for null, undefined or an unreadable value.
 */
export function fromEnvelopeTime(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== 'string') return undefined;
  // The envelope reader accepted it with the same scanner; Date.parse for what it did not see.
  const scanned = isoTimeEpochMs(value);
  if (!Number.isNaN(scanned)) return new Date(scanned);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
