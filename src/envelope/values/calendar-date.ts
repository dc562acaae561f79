import { daysInMonth, utcEpochMs } from './iso-time.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date without a time or zone: Ruby's `Date`.
 * Travels as `ActiveJob::Serializers::DateSerializer` with the value "YYYY-MM-DD".
 */
export class CalendarDate {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  /** 1-31. */
  readonly day: number;

  /** Throws RangeError for a date that does not exist (for example February 30). */
  constructor(year: number, month: number, day: number) {
    if (!Number.isInteger(year) || year < 0 || year > 9999) throw new RangeError(`invalid year ${year}`);
    if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`invalid month ${month}`);
    if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
      throw new RangeError(`invalid day ${day} for ${year}-${month}`);
    }
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** Parses "YYYY-MM-DD"; throws RangeError for anything else. */
  static parse(text: string): CalendarDate {
    const match = ISO_DATE.exec(text);
    if (!match) throw new RangeError('invalid date: expected YYYY-MM-DD');
    return new CalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  }

  /** The UTC calendar date of a JS Date. */
  static fromDate(date: Date): CalendarDate {
    return new CalendarDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }

  /** Midnight UTC of this date. */
  toDate(): Date {
    return new Date(utcEpochMs(this.year, this.month, this.day));
  }

  /** "YYYY-MM-DD", as Ruby's `Date#iso8601`. */
  toString(): string {
    return `${String(this.year).padStart(4, '0')}-${String(this.month).padStart(2, '0')}-${String(this.day).padStart(2, '0')}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
