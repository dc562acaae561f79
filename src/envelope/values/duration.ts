/** The units Active Support's Duration keeps in `parts`, largest first. */
export const DURATION_UNITS = ['years', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];
export type DurationParts = Readonly<Partial<Record<DurationUnit, number>>>;

/** Seconds per unit, as Active Support counts them (a year is 365.2425 days, a month 1/12 of that). */
export const SECONDS_PER_UNIT: Readonly<Record<DurationUnit, number>> = Object.freeze({
  years: 31_556_952,
  months: 2_629_746,
  weeks: 604_800,
  days: 86_400,
  hours: 3_600,
  minutes: 60,
  seconds: 1,
});

export function isDurationUnit(name: string): name is DurationUnit {
  return (DURATION_UNITS as readonly string[]).includes(name);
}

/**
 * Active Support's `ActiveSupport::Duration` (`1.hour + 30.minutes`): a total in
 * seconds (`value`) plus the parts it was built from, so calendar arithmetic in Ruby
 * (`1.month` added to a date) stays calendar arithmetic.
 * Travels as `ActiveJob::Serializers::DurationSerializer`.
 */
export class Duration {
  /** Total length in seconds (Active Support's `value`). */
  readonly value: number;
  /** The parts, in the order they were given (Active Support's `parts`). */
  readonly parts: DurationParts;

  constructor(value: number, parts: DurationParts) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError('a Duration value must be a finite number');
    const copy: Partial<Record<DurationUnit, number>> = {};
    for (const [unit, amount] of Object.entries(parts)) {
      if (!isDurationUnit(unit)) throw new RangeError(`unknown Duration unit ${JSON.stringify(unit)}`);
      if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new RangeError(`Duration ${unit} must be a finite number`);
      copy[unit] = amount;
    }
    this.value = value;
    this.parts = Object.freeze(copy);
  }

  /** A Duration from parts, its value computed as Active Support does: `Duration.of({ hours: 1, minutes: 30 })`. */
  static of(parts: DurationParts): Duration {
    let value = 0;
    for (const [unit, amount] of Object.entries(parts)) {
      if (isDurationUnit(unit) && typeof amount === 'number') value += amount * SECONDS_PER_UNIT[unit];
    }
    return new Duration(value, parts);
  }

  static seconds(amount: number): Duration {
    return Duration.of({ seconds: amount });
  }

  static minutes(amount: number): Duration {
    return Duration.of({ minutes: amount });
  }

  static hours(amount: number): Duration {
    return Duration.of({ hours: amount });
  }

  static days(amount: number): Duration {
    return Duration.of({ days: amount });
  }

  static weeks(amount: number): Duration {
    return Duration.of({ weeks: amount });
  }

  static months(amount: number): Duration {
    return Duration.of({ months: amount });
  }

  static years(amount: number): Duration {
    return Duration.of({ years: amount });
  }

  /** The total in milliseconds, for timers and `set({ wait })`. */
  toMilliseconds(): number {
    return this.value * 1000;
  }
}
