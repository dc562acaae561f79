import { formatIsoTime, parseIsoTime } from './iso-time.js';

/**
 * A Ruby `Time` as it arrived: a JS Date (it is one: `instanceof Date`, every Date method,
 * `getTime()` in milliseconds) that also keeps the exact text Ruby wrote, microseconds (Rails
 * 6.1) or nanoseconds (7.1) and offset included. A job that passes it on (to a Rails job, or
 * to itself through a retry) gives Ruby back the same Time, not one rounded to milliseconds.
 *
 * Changing it with a Date setter makes it an ordinary instant again: `iso` then writes the new
 * time in UTC with nine digits, as for any Date. `new RubyTime('2026-11-22T10:00:00.123456Z')`
 * makes one in JS; `toDate()` gives a plain Date.
 * Travels as `ActiveJob::Serializers::TimeSerializer`.
 */
export class RubyTime extends Date {
  readonly #iso: string;
  readonly #epochMs: number;
  readonly #nanoseconds: number;

  /** `iso`: ISO 8601 with an offset. Throws RangeError otherwise. */
  constructor(iso: string) {
    const parsed = typeof iso === 'string' ? parseIsoTime(iso) : undefined;
    if (!parsed) throw new RangeError('invalid ISO 8601 time: expected a date, time and offset');
    super(parsed.epochMs);
    this.#iso = iso;
    this.#epochMs = parsed.epochMs;
    this.#nanoseconds = parsed.nanoseconds;
  }

  // The getters also answer for another receiver (equality helpers read getters off both sides of a
  // comparison, and off prototypes): a plain Date is treated as changed, anything else has no time.

  /** The text Ruby wrote (while no setter changed the Date); otherwise the instant in UTC with nine fractional digits. */
  get iso(): string {
    if (#iso in this && this.getTime() === this.#epochMs) return this.#iso;
    const epochMs = timeOf(this);
    return Number.isNaN(epochMs) ? '' : formatIsoTime(epochMs, 0, 'Z');
  }

  /** Nanoseconds within the second, as written (a Date keeps only milliseconds). */
  get nanoseconds(): number {
    if (#iso in this && this.getTime() === this.#epochMs) return this.#nanoseconds;
    const epochMs = timeOf(this);
    return Number.isNaN(epochMs) ? 0 : (((epochMs % 1000) + 1000) % 1000) * 1e6;
  }

  /** A plain Date of the same instant (to the millisecond). */
  toDate(): Date {
    return new Date(this.getTime());
  }
}

/** The time value of a Date, NaN for anything else. */
function timeOf(value: unknown): number {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return Number.NaN;
  }
}
