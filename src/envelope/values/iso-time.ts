/**
 * ISO 8601 date-time text as Ruby reads and writes it (`Time.iso8601`, `Time#iso8601(9)`).
 * Parsing is strict: a date, "T", a time, optional fractional seconds and a required
 * offset ("Z" or "+hh:mm"). A time without an offset is refused because Ruby would read
 * it in the reader's local zone, which is not the same instant everywhere.
 */

/** A parsed ISO 8601 time: the instant in epoch milliseconds plus the digits JS Date cannot hold. */
export interface ParsedIsoTime {
  /** Milliseconds since the epoch (the fraction truncated to milliseconds). */
  readonly epochMs: number;
  /** Nanoseconds within the second (0..999_999_999), from the fractional digits. */
  readonly nanoseconds: number;
  /** Offset from UTC in minutes, as written. */
  readonly offsetMinutes: number;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds of a UTC wall-clock time; unlike Date.UTC, years 0-99 are not shifted to 19xx. */
export function utcEpochMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/*
 * The grammar, read by hand rather than with a regular expression because every delivery
 * checks its enqueued_at (a match array and its substrings cost more than the check):
 *   YYYY-MM-DD ("T" | "t") hh:mm:ss [ "." 1-30 digits ] ( "Z" | "z" | ("+" | "-") hh [ [":"] mm ] )
 */
const MAX_FRACTION_DIGITS = 30;
// Set by isoTimeEpochMs() next to its result: the fraction in nanoseconds and the offset in minutes.
let scannedNanoseconds = 0;
let scannedOffsetMinutes = 0;

/** The number written by `count` ASCII digits at `start`, or -1. */
function digitsAt(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The instant of ISO 8601 text (the grammar above) in epoch milliseconds, or NaN; allocates nothing. */
export function isoTimeEpochMs(text: string): number {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const separator = text.charCodeAt(10);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (separator !== 84 && separator !== 116)) return NaN; // - - T t
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN; // : :
  let at = 19;
  let nanoseconds = 0;
  if (text.charCodeAt(at) === 46) {
    // "."
    const first = ++at;
    for (let digit = text.charCodeAt(at) - 48; digit >= 0 && digit <= 9; digit = text.charCodeAt(++at) - 48) {
      if (at - first < 9) nanoseconds = nanoseconds * 10 + digit;
    }
    const count = at - first;
    if (count < 1 || count > MAX_FRACTION_DIGITS) return NaN;
    for (let i = count; i < 9; i++) nanoseconds *= 10;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(at);
  if (zone === 90 || zone === 122) {
    at += 1; // Z z
  } else if (zone === 43 || zone === 45) {
    // + -
    const offsetHours = digitsAt(text, at + 1, 2);
    if (offsetHours < 0 || offsetHours > 23) return NaN;
    at += 3;
    let offsetMins = 0;
    if (at < text.length) {
      if (text.charCodeAt(at) === 58) at += 1;
      offsetMins = digitsAt(text, at, 2);
      if (offsetMins < 0 || offsetMins > 59) return NaN;
      at += 2;
    }
    offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
  } else {
    return NaN;
  }
  if (at !== text.length) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour > 23 || minute > 59 || second > 60) return NaN;
  scannedNanoseconds = nanoseconds;
  scannedOffsetMinutes = offsetMinutes;
  return utcEpochMs(year, month, day, hour, minute, second, Math.floor(nanoseconds / 1e6)) - offsetMinutes * 60_000;
}

/** Parses ISO 8601 text; returns undefined when it is not a valid time with an offset. */
export function parseIsoTime(text: string): ParsedIsoTime | undefined {
  const epochMs = isoTimeEpochMs(text);
  if (Number.isNaN(epochMs)) return undefined;
  return { epochMs, nanoseconds: scannedNanoseconds, offsetMinutes: scannedOffsetMinutes };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** "+hh:mm" / "-hh:mm" for an offset in minutes. */
export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/**
 * Wall-clock text of an instant shifted by an offset, with nine fractional digits,
 * as Ruby's `iso8601(9)` writes it, e.g. "2024-05-01T12:00:00.123000000" + suffix.
 */
export function formatIsoTime(epochMs: number, offsetMinutes: number, suffix: string, subMillisecondNanos = 0): string {
  const wall = new Date(epochMs + offsetMinutes * 60_000);
  if (Number.isNaN(wall.getTime())) throw new RangeError('invalid time value');
  const year = wall.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} is outside 0000-9999`);
  const nanos = wall.getUTCMilliseconds() * 1e6 + subMillisecondNanos;
  return (
    `${pad(year, 4)}-${pad(wall.getUTCMonth() + 1, 2)}-${pad(wall.getUTCDate(), 2)}` +
    `T${pad(wall.getUTCHours(), 2)}:${pad(wall.getUTCMinutes(), 2)}:${pad(wall.getUTCSeconds(), 2)}` +
    `.${pad(nanos, 9)}${suffix}`
  );
}

/** A JS Date as Ruby's `Time#utc.iso8601(9)`: "2024-05-01T12:00:00.123000000Z". */
export function formatUtcIsoTime(date: Date): string {
  return formatIsoTime(date.getTime(), 0, 'Z');
}
