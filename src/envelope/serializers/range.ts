import { SerializationError } from '../../errors.js';
import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { RubyRange } from '../values/ruby-range.js';
import { railsSerializerName, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('RangeSerializer');

/**
 * Ruby Range <-> RubyRange: `{ "_aj_serialized": "...RangeSerializer", "begin": 1, "end": 10, "exclude_end": false }`
 * (Rails 7.1+). Endpoints are serialized arguments. Refused at enqueue with
 * railsCompatibility '6.1', since Rails 6.1 cannot read it.
 */
export const rangeSerializer: BuiltinSerializer<RubyRange> = {
  name: NAME,
  isSerializable: (value): value is RubyRange => value instanceof RubyRange,
  serialize: (range, context) => {
    if (context.railsCompatibility === '6.1') {
      throw new SerializationError('a RubyRange cannot be read by Rails 6.1 (RangeSerializer arrived in Rails 7.1)');
    }
    return {
      [OBJECT_SERIALIZER_KEY]: NAME,
      begin: context.serialize(range.begin),
      end: context.serialize(range.end),
      exclude_end: range.excludeEnd,
    };
  },
  deserialize: (hash, context) => {
    const excludeEnd = hash.exclude_end ?? false;
    if (typeof excludeEnd !== 'boolean') throw new RangeError(`${NAME} "exclude_end" must be a boolean`);
    return new RubyRange(context.read(hash.begin ?? null), context.read(hash.end ?? null), excludeEnd);
  },
};
