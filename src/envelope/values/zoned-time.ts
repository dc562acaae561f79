import { IsoInstant } from './iso-instant.js';
import { formatIsoTime, formatOffset, utcEpochMs } from './iso-time.js';

/** Zone names whose zero offset Ruby writes as "Z" (TimeWithZone#utc? is true for them). */
const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'UCT', 'Etc/UCT', 'Universal', 'Etc/Universal', 'Zulu', 'Etc/Zulu']);

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Offset of an IANA zone from UTC at an instant, in minutes. Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wall = utcEpochMs(fields.year ?? 0, fields.month ?? 1, fields.day ?? 1, fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0);
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

/**
 * A time in a named zone: Active Support's `TimeWithZone` (`Time.current`,
 * `1.day.from_now`, `record.created_at` in Rails). Kept as the exact ISO text Ruby
 * wrote (nanoseconds and offset included) plus the zone name, so it goes back to
 * Ruby unchanged. `toDate()` gives the instant (to the millisecond).
 *
 * Travels as `ActiveJob::Serializers::TimeWithZoneSerializer`; Rails 7.1 adds the
 * zone name as `time_zone` (Rails 6.1 writes none and ignores it on read).
 */
export class ZonedTime extends IsoInstant {
  /** IANA zone name ("America/Los_Angeles"), or null when the writer sent none (Rails 6.1). */
  readonly timeZone: string | null;

  /** Throws RangeError when `iso` is not an ISO 8601 time with an offset. */
  constructor(iso: string, timeZone: string | null = null) {
    super(iso);
    if (timeZone !== null && (typeof timeZone !== 'string' || timeZone.length === 0)) {
      throw new RangeError('a ZonedTime zone must be a non-empty string or null');
    }
    this.timeZone = timeZone;
  }

  /** The instant of `date` in an IANA zone, written as Rails writes it. Throws RangeError for an unknown zone. */
  static fromDate(date: Date, timeZone = 'UTC'): ZonedTime {
    const epochMs = date.getTime();
    if (Number.isNaN(epochMs)) throw new RangeError('invalid Date');
    const offset = zoneOffsetMinutes(epochMs, timeZone);
    const suffix = offset === 0 && UTC_ZONES.has(timeZone) ? 'Z' : formatOffset(offset);
    return new ZonedTime(formatIsoTime(epochMs, offset, suffix), timeZone);
  }
}
