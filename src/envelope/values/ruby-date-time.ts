import { formatIsoTime, parseIsoTime, type ParsedIsoTime } from './iso-time.js';

/**
 * Ruby's `DateTime`: an instant with a fixed offset, kept as the exact ISO text
 * (nanoseconds and offset included) so it goes back to Ruby unchanged.
 * Travels as `ActiveJob::Serializers::DateTimeSerializer`.
 * A plain JS Date travels as Ruby `Time` instead; use this class only when the Ruby
 * side expects a DateTime.
 */
export class RubyDateTime {
  /** ISO 8601 with an offset, e.g. "2024-05-01T12:00:00.000000000+00:00". */
  readonly iso: string;
  readonly #parsed: ParsedIsoTime;

  /** Throws RangeError when `iso` is not an ISO 8601 time with an offset. */
  constructor(iso: string) {
    const parsed = typeof iso === 'string' ? parseIsoTime(iso) : undefined;
    if (!parsed) throw new RangeError('invalid ISO 8601 time: expected a date, time and offset');
    this.iso = iso;
    this.#parsed = parsed;
  }

  /** `date` at UTC, as Ruby's `DateTime#iso8601(9)` writes it ("+00:00"). */
  static fromDate(date: Date): RubyDateTime {
    if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
    return new RubyDateTime(formatIsoTime(date.getTime(), 0, '+00:00'));
  }

  toDate(): Date {
    return new Date(this.#parsed.epochMs);
  }

  get nanoseconds(): number {
    return this.#parsed.nanoseconds;
  }

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
