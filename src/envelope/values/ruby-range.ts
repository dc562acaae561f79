/**
 * A Ruby Range (`1..10`, `1...10`, `date_a..date_b`, beginless `..5`).
 * Travels as `ActiveJob::Serializers::RangeSerializer` (Rails 7.1+; Rails 6.1 cannot read it).
 * Endpoints are argument values themselves (numbers, strings, dates, times, null).
 */
export class RubyRange<T = unknown> {
  constructor(
    /** First value; null for a beginless range. */
    readonly begin: T | null,
    /** Last value; null for an endless range. */
    readonly end: T | null,
    /** true for `a...b` (end excluded), false for `a..b`. */
    readonly excludeEnd = false,
  ) {}
}
