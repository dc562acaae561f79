/**
 * A Ruby Float whose value is a whole number (`1.0`, `-0.0`, `1.5e1`). JSON numbers carry
 * Ruby's Integer/Float distinction in their text (`1` vs `1.0`), which a JS number loses.
 *
 * - Reading: `perform` receives plain numbers (a Rails `1.0` is `1`). The received argument
 *   JSON keeps the original text of every float JS would write differently (`1.0`, `2.50`,
 *   `1.5e-07`), so a retry, a dead letter or a re-sent job gives Rails back the same bytes,
 *   never the Integer `1`.
 * - Writing: a JS number that is a whole number is written as an Integer (`1`), any other as
 *   a Float (`1.5`); JS `-0` is written `-0.0`. Wrap a number in RubyFloat when Ruby must
 *   receive a Float although the value is whole: `new RubyFloat(2)` is written `2.0`.
 */
export class RubyFloat {
  readonly value: number;
  /** The JSON number text written for it. */
  readonly text: string;

  /** Throws RangeError for a value that is not a finite number. */
  constructor(value: number, text?: string) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError('a RubyFloat must be a finite number');
    this.value = value;
    this.text = text ?? floatText(value);
  }

  valueOf(): number {
    return this.value;
  }

  toString(): string {
    return this.text;
  }

  /** The number (JSON.stringify cannot write `1.0`; warren's envelope writer can). */
  toJSON(): number {
    return this.value;
  }
}

/** A JSON number text that Ruby reads as a Float: always with a fraction or an exponent. */
function floatText(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * Whether a JSON float token (one with a fraction or an exponent) would not come back as itself
 * from a JS number: a whole-number Float (`1.0`, `2e3`, `-0.0`), which JS would write as an
 * Integer, or a Float JS writes otherwise (`2.50`, `1.5e-07`). Such tokens keep their text.
 */
export function isKeptFloatToken(token: string): boolean {
  if (!/[.eE]/.test(token)) return false;
  const number = Number(token);
  return Number.isInteger(number) || String(number) !== token;
}

/**
 * Arguments arrays the argument writer filled with a RubyFloat: the codec then writes them
 * with warren's JSON writer. A non-enumerable symbol property, like prepared.ts's mark.
 */
const HOLDS_RUBY_FLOATS = Symbol('warren.holdsRubyFloats');

export function markHoldsRubyFloats(values: unknown[]): void {
  Object.defineProperty(values, HOLDS_RUBY_FLOATS, { value: true });
}

export function holdsRubyFloats(values: readonly unknown[]): boolean {
  return (values as { [HOLDS_RUBY_FLOATS]?: boolean })[HOLDS_RUBY_FLOATS] === true;
}
