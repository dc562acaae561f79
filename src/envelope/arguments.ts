import { ArgumentReader } from './argument-reader.js';
import { ArgumentWriter } from './argument-writer.js';
import type { JsonValue } from './envelope.js';
import { resetLocators } from './locators.js';
import { resetSerializers } from './serializers/custom.js';
import { DEFAULT_RAILS_COMPATIBILITY, type RailsCompatibility } from './serializers/serializer.js';

/**
 * Perform arguments in Active Job's wire format (ActiveJob::Arguments), so Rails reads
 * what warren writes and warren reads what Rails 6.1 and 7.1 write.
 *
 * | JS                                   | wire                                              | Ruby                        |
 * |--------------------------------------|---------------------------------------------------|-----------------------------|
 * | null, boolean, string                | as is                                             | nil, true/false, String     |
 * | number (finite)                      | whole: integer; other: float; -0: -0.0            | Integer or Float            |
 * | RubyFloat                            | float text (2.0)                                  | Float                       |
 * | bigint                               | bare integer                                      | Integer                     |
 * | array                                | array                                             | Array                       |
 * | plain object                         | object + `_aj_symbol_keys`                        | Hash (string keys)          |
 * | withSymbolKeys / asKeywordArguments / withIndifferentAccess | `_aj_symbol_keys` / `_aj_ruby2_keywords` / `_aj_hash_with_indifferent_access` | Hash / keywords / HashWithIndifferentAccess |
 * | Date (RubyTime: the text it came with) | TimeSerializer (UTC, 9 digits)                  | Time                        |
 * | ZonedTime, RubyDateTime, CalendarDate | TimeWithZone/DateTime/DateSerializer             | TimeWithZone, DateTime, Date |
 * | Duration, RubySymbol, Decimal, RubyRange | Duration/Symbol/BigDecimal/RangeSerializer    | Duration, Symbol, BigDecimal, Range |
 * | RubyModule                           | ModuleSerializer                                  | Class or Module             |
 * | object with toGlobalId(), GlobalId   | `{ "_aj_globalid": "gid://app/Model/id" }`        | the record (GlobalID::Locator) |
 *
 * Reading: integers beyond Number.MAX_SAFE_INTEGER arrive as bigint, others as number (a
 * whole-number Float too: the received JSON keeps `1.0` for retries); a Time as RubyTime.
 */
export interface SerializeArgumentsOptions {
  /** Which Rails must be able to read the result. Default: DEFAULT_RAILS_COMPATIBILITY ('7.1'). */
  railsCompatibility?: RailsCompatibility;
}

/**
 * Serialize perform arguments into Active Job's wire format.
 * Throws SerializationError (at enqueue time) for anything unsupported: undefined,
 * NaN/Infinity, functions, JS symbols, Map/Set/binary data, class instances without
 * a serializer, reserved `_aj_*` keys, `__proto__` keys, cycles, and nesting deeper
 * than DEFAULTS.maxArgumentDepth. `undefined` object properties are left out, as JSON does.
 */
export function serializeArguments(args: readonly unknown[], options: SerializeArgumentsOptions = {}): JsonValue[] {
  return new ArgumentWriter(options.railsCompatibility ?? DEFAULT_RAILS_COMPATIBILITY).writeAll(args);
}

/**
 * Read arguments back. Async because GlobalID locators may load records.
 * Throws DeserializationError for malformed values, unknown serializers,
 * GlobalIDs of unregistered models and records that are not found. Errors a locator
 * throws itself (for example a database timeout) propagate unchanged, so retry rules
 * see the real cause instead of a DeserializationError a `discardOn` would drop.
 */
export async function deserializeArguments(args: readonly JsonValue[]): Promise<unknown[]> {
  return new ArgumentReader().readAll(args);
}

/** deserializeArguments without a promise when no value needs one (the worker's fast path). */
export function readArguments(args: readonly JsonValue[]): unknown[] | Promise<unknown[]> {
  return new ArgumentReader().read(args);
}

/** Clears every registered locator and custom serializer (for tests). */
export function resetArgumentRegistries(): void {
  resetLocators();
  resetSerializers();
}
