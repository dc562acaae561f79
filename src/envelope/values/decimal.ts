const DECIMAL_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_VALUES = new Set(['NaN', 'Infinity', '+Infinity', '-Infinity']);

/**
 * An arbitrary-precision decimal: Ruby's `BigDecimal`, kept as its exact text.
 * warren does no decimal arithmetic; hand `toString()` to a decimal library for that.
 *
 * Wire format: Rails 7.1+ writes `ActiveJob::Serializers::BigDecimalSerializer` with
 * the value as text; Rails 6.1 writes a bare JSON string (so a 6.1 BigDecimal arrives
 * in JS as a plain string, indistinguishable from any other string).
 */
export class Decimal {
  /** The exact decimal text. */
  readonly value: string;

  /** Accepts decimal text ("12.50", "-0.5", "0.125e1") and Ruby's "NaN", "Infinity", "-Infinity". */
  constructor(value: string) {
    if (typeof value !== 'string' || !(DECIMAL_TEXT.test(value) || SPECIAL_VALUES.has(value))) {
      throw new RangeError('invalid decimal: expected decimal digits such as "12.50"');
    }
    this.value = value;
  }

  /** The nearest double; precision may be lost. */
  toNumber(): number {
    return Number(this.value);
  }

  equals(other: unknown): boolean {
    return other instanceof Decimal && other.value === this.value;
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }
}
