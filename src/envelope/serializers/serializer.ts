import { DEFAULTS } from '../../config/defaults.js';
import type { JsonValue } from '../envelope.js';

/** A serialized hash as it travels: string keys, JSON values. */
export type WireHash = { [key: string]: JsonValue };

/**
 * Which Rails reads what warren writes. '7.1' (the default, DEFAULT_RAILS_COMPATIBILITY)
 * uses every Rails 7.1 serializer; '6.1' writes BigDecimal as a bare string (as Rails 6.1
 * itself does) and refuses a Range at enqueue, since Rails 6.1 cannot read RangeSerializer.
 */
export type RailsCompatibility = '6.1' | '7.1';
export const DEFAULT_RAILS_COMPATIBILITY: RailsCompatibility = DEFAULTS.railsCompatibility;

export interface SerializeContext {
  /** Serializes a nested value with the same rules (depth limit, cycles, reserved keys). */
  serialize(value: unknown): JsonValue;
  readonly railsCompatibility: RailsCompatibility;
}

export interface DeserializeContext {
  /** Deserializes a nested value with the same rules; GlobalIDs in it are located. */
  deserialize(value: JsonValue): Promise<unknown>;
}

/**
 * A custom argument serializer (Active Job's ObjectSerializer), registered with
 * `registerSerializer`. Its output travels as `{ "_aj_serialized": name, ...hash }`.
 * A Rails app reads it only if it has a serializer class of exactly that name: name it
 * after your Ruby serializer (e.g. "MoneySerializer") when Rails must read it too.
 */
export interface ArgumentSerializer<T = unknown> {
  /** Unique name, written as `_aj_serialized`. */
  readonly name: string;
  /** true for values this serializer writes. Checked after warren's built-in types, in registration order. */
  isSerializable(value: unknown): boolean;
  /** JSON values only; the `_aj_serialized` key is added by warren. Use `context.serialize` for nested arguments. */
  serialize(value: T, context: SerializeContext): WireHash;
  /** Receives the whole hash, `_aj_serialized` included. May be async. Throw to reject malformed input. */
  deserialize(hash: Readonly<WireHash>, context: DeserializeContext): T | Promise<T>;
}

/** warren's own serializers for Rails' built-in types (internal; synchronous both ways). */
export interface BuiltinSerializer<T> {
  /** Rails' serializer class name, e.g. "ActiveJob::Serializers::DateSerializer". */
  readonly name: string;
  isSerializable(value: unknown): value is T;
  serialize(value: T, context: SerializeContext): JsonValue;
  deserialize(hash: Readonly<WireHash>, context: BuiltinDeserializeContext): T;
}

export interface BuiltinDeserializeContext {
  /** Reads a nested value (a Range endpoint); GlobalIDs are not allowed there. */
  read(value: JsonValue | undefined): unknown;
}

export function railsSerializerName(shortName: string): string {
  return `ActiveJob::Serializers::${shortName}`;
}

/** The string under `key`, or a RangeError naming the serializer. */
export function requireString(hash: Readonly<WireHash>, key: string, serializerName: string): string {
  const value = hash[key];
  if (typeof value !== 'string') throw new RangeError(`${serializerName} needs a string "${key}"`);
  return value;
}
