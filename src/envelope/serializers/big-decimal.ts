import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { Decimal } from '../values/decimal.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('BigDecimalSerializer');

/**
 * BigDecimal <-> Decimal: `{ "_aj_serialized": "...BigDecimalSerializer", "value": "12.5" }` (Rails 7.1+).
 * With railsCompatibility '6.1' a Decimal is written as a bare string in Ruby's `BigDecimal#to_s`
 * form ("5.0"), as Rails 6.1 writes a BigDecimal (it has no BigDecimalSerializer and would fail
 * to read one).
 */
export const bigDecimalSerializer: BuiltinSerializer<Decimal> = {
  name: NAME,
  isSerializable: (value): value is Decimal => value instanceof Decimal,
  serialize: (decimal, context) => (context.railsCompatibility === '6.1' ? decimal.toRubyString() : { [OBJECT_SERIALIZER_KEY]: NAME, value: decimal.value }),
  deserialize: (hash) => new Decimal(requireString(hash, 'value', NAME)),
};
