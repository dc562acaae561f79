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

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Epoch milliseconds of a UTC wall-clock time; unlike Date.UTC, years 0-99 are not shifted to 19xx. */
export function utcEpochMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Parses ISO 8601 text; returns undefined when it is not a valid time with an offset. */
export function parseIsoTime(text: string): ParsedIsoTime | undefined {
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, offH = '00', offM = '00'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(offH);
  const offsetMins = Number(offM);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMins > 59) return undefined;
  const nanoseconds = Number(fraction.slice(0, 9).padEnd(9, '0'));
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  const wallMs = utcEpochMs(year, month, day, hour, minute, second, Math.floor(nanoseconds / 1e6));
  return { epochMs: wallMs - offsetMinutes * 60_000, nanoseconds, offsetMinutes };
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
