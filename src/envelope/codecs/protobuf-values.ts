import { EnvelopeError } from '../../errors.js';
import type { JsonValue } from '../envelope.js';
import { RubyFloat } from '../values/ruby-float.js';
import { MAX_WIRE_NESTING } from './limits.js';

/**
 * JSON argument values <-> the protobuf Value message. Integers, big integers and
 * doubles stay distinct: a JS number that JSON would write as digits (an integer below
 * 1e21) becomes int_value, or big_int_value outside 64 bits, with the digits JSON would
 * write, so both encodings read back the same way. A whole-number double is a RubyFloat
 * (JSON `1.0`) both ways.
 */

/** A 64-bit integer as protobufjs reads and writes it: two 32-bit halves. */
interface LongBits {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** The plain-object shape protobufjs encodes and decodes for Value. */
export interface ValueMessage {
  kind?: string;
  null_value?: number;
  bool_value?: boolean;
  int_value?: number | LongBits;
  big_int_value?: string;
  double_value?: number;
  string_value?: string;
  list_value?: { values?: ValueMessage[] | null } | null;
  map_value?: { entries?: { key?: string; value?: ValueMessage | null }[] | null } | null;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const BIG_INT_TEXT = /^-?\d{1,10000}$/;

function integerMessage(value: bigint): ValueMessage {
  if (value >= INT64_MIN && value <= INT64_MAX) {
    const bits = BigInt.asUintN(64, value);
    return { int_value: { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned: false } };
  }
  return { big_int_value: value.toString() };
}

export function toValueMessage(value: JsonValue): ValueMessage {
  if (value === null) return { null_value: 0 };
  switch (typeof value) {
    case 'boolean':
      return { bool_value: value };
    case 'string':
      return { string_value: value };
    case 'bigint':
      return integerMessage(value);
    case 'number':
      if (Number.isSafeInteger(value)) return { int_value: value === 0 ? 0 : value };
      // JSON writes these as the digits of String(value) and readers take them as integers; do the same.
      if (Number.isInteger(value) && Math.abs(value) < 1e21) return integerMessage(BigInt(String(value)));
      return { double_value: value };
    default:
      // A whole-number Float (Ruby's 1.0) stays a double, so it reads back as a Float.
      if ((value as unknown) instanceof RubyFloat) return { double_value: (value as unknown as RubyFloat).value };
      if (Array.isArray(value)) return { list_value: { values: value.map(toValueMessage) } };
      return { map_value: { entries: Object.keys(value).map((key) => ({ key, value: toValueMessage(value[key] as JsonValue) })) } };
  }
}

function integerValue(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

export function fromValueMessage(message: ValueMessage | null | undefined, depth: number): JsonValue {
  if (!message) throw new EnvelopeError('an argument value is missing');
  switch (message.kind) {
    case 'null_value':
      return null;
    case 'bool_value':
      return Boolean(message.bool_value);
    case 'string_value':
      return message.string_value ?? '';
    case 'int_value': {
      const raw = message.int_value ?? 0;
      if (typeof raw === 'number') return raw;
      return integerValue(BigInt.asIntN(64, (BigInt(raw.high >>> 0) << 32n) | BigInt(raw.low >>> 0)));
    }
    case 'big_int_value': {
      const text = message.big_int_value ?? '';
      if (!BIG_INT_TEXT.test(text)) throw new EnvelopeError('big_int_value must be decimal digits');
      return integerValue(BigInt(text));
    }
    case 'double_value': {
      const number = message.double_value ?? 0;
      if (!Number.isFinite(number)) throw new EnvelopeError('an argument is a double that is not finite');
      // A whole-number double keeps its kind (JSON writes it 1.0, Ruby reads a Float); perform receives the number.
      return Number.isInteger(number) ? (new RubyFloat(number) as unknown as JsonValue) : number;
    }
    case 'list_value':
      if (depth >= MAX_WIRE_NESTING) throw new EnvelopeError(`arguments nest deeper than ${MAX_WIRE_NESTING} levels`);
      return (message.list_value?.values ?? []).map((item) => fromValueMessage(item, depth + 1));
    case 'map_value': {
      if (depth >= MAX_WIRE_NESTING) throw new EnvelopeError(`arguments nest deeper than ${MAX_WIRE_NESTING} levels`);
      const result: { [key: string]: JsonValue } = {};
      for (const entry of message.map_value?.entries ?? []) {
        const value = fromValueMessage(entry.value, depth + 1);
        // A "__proto__" key must be an own property, as JSON.parse makes it, never a prototype change.
        Object.defineProperty(result, entry.key ?? '', { value, enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    default:
      throw new EnvelopeError('an argument value has no kind set');
  }
}
