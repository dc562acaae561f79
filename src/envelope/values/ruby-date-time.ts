import { IsoInstant } from './iso-instant.js';
import { formatIsoTime } from './iso-time.js';

/**
 * Ruby's `DateTime`: an instant with a fixed offset, kept as the exact ISO text
 * (nanoseconds and offset included) so it goes back to Ruby unchanged.
 * Travels as `ActiveJob::Serializers::DateTimeSerializer`.
 * A plain JS Date travels as Ruby `Time` instead; use this class only when the Ruby
 * side expects a DateTime.
 */
export class RubyDateTime extends IsoInstant {
  /** `iso`: ISO 8601 with an offset, e.g. "2024-05-01T12:00:00.000000000+00:00". Throws RangeError otherwise. */
  constructor(iso: string) {
    super(iso);
  }

  /** `date` at UTC, as Ruby's `DateTime#iso8601(9)` writes it ("+00:00"). */
  static fromDate(date: Date): RubyDateTime {
    if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
    return new RubyDateTime(formatIsoTime(date.getTime(), 0, '+00:00'));
  }
}
