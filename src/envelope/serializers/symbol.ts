import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { RubySymbol } from '../values/ruby-symbol.js';
import { railsSerializerName, requireString, type BuiltinSerializer, type WireHash } from './serializer.js';

const NAME = railsSerializerName('SymbolSerializer');

/** Ruby Symbol <-> RubySymbol: `{ "_aj_serialized": "...SymbolSerializer", "value": "name" }`. */
export const symbolSerializer: BuiltinSerializer<RubySymbol> = {
  name: NAME,
  isSerializable: (value): value is RubySymbol => value instanceof RubySymbol,
  serialize: (symbol) => symbolWire(symbol.name),
  deserialize: (hash) => new RubySymbol(requireString(hash, 'value', NAME)),
};

export function symbolWire(name: string): WireHash {
  return { [OBJECT_SERIALIZER_KEY]: NAME, value: name };
}

/** The name of a serialized Symbol, or undefined when `value` is not one. */
export function symbolNameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const hash = value as WireHash;
  return hash[OBJECT_SERIALIZER_KEY] === NAME && typeof hash.value === 'string' ? hash.value : undefined;
}
