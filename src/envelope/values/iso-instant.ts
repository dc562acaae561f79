import { parseIsoTime, type ParsedIsoTime } from './iso-time.js';

/**
 * An instant kept as its exact ISO 8601 text (nanoseconds and offset included), so it goes
 * back to Ruby unchanged. The base of RubyDateTime and ZonedTime.
 */
export abstract class IsoInstant {
  /** ISO 8601 with an offset, as written. */
  readonly iso: string;
  readonly #parsed: ParsedIsoTime;

  /** Throws RangeError when `iso` is not an ISO 8601 time with an offset. */
  protected constructor(iso: string) {
    const parsed = typeof iso === 'string' ? parseIsoTime(iso) : undefined;
    if (!parsed) throw new RangeError('invalid ISO 8601 time: expected a date, time and offset');
    this.iso = iso;
    this.#parsed = parsed;
  }

  /** The instant, to the millisecond. */
  toDate(): Date {
    return new Date(this.#parsed.epochMs);
  }

  get epochMilliseconds(): number {
    return this.#parsed.epochMs;
  }

  /** Nanoseconds within the second, as written (JS Date keeps only milliseconds). */
  get nanoseconds(): number {
    return this.#parsed.nanoseconds;
  }

  /** Offset from UTC in minutes, as written. */
  get offsetMinutes(): number {
    return this.#parsed.offsetMinutes;
  }

  toString(): string {
    return this.iso;
  }

  toJSON(): string {
    return this.iso;
  }
}
