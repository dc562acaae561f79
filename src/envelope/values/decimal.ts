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

  /**
   * The text Ruby's `BigDecimal#to_s` gives with Active Support loaded (plain notation, at
   * least one digit after the point): "5" -> "5.0", "12.50" -> "12.5", "1e-20" ->
   * "0.00000000000000000001". What Rails 6.1 writes for a BigDecimal argument.
   */
  toRubyString(): string {
    const text = this.value;
    if (SPECIAL_VALUES.has(text)) return text === '+Infinity' ? 'Infinity' : text;
    const sign = text.startsWith('-') ? '-' : '';
    const unsigned = text.replace(/^[+-]/, '');
    const [mantissa = '', exponentText = '0'] = unsigned.split(/[eE]/);
    const [integerPart = '', fractionPart = ''] = mantissa.split('.');
    const digits = `${integerPart}${fractionPart}`;
    // Position of the decimal point within `digits`.
    const point = integerPart.length + Number(exponentText);
    const padded = point < 0 ? `${'0'.repeat(-point)}${digits}` : point > digits.length ? digits.padEnd(point, '0') : digits;
    const at = Math.max(point, 0);
    const whole = padded.slice(0, at).replace(/^0+/, '') || '0';
    const fraction = padded.slice(at).replace(/0+$/, '') || '0';
    return `${sign}${whole}.${fraction}`;
  }

  toJSON(): string {
    return this.value;
  }
}
