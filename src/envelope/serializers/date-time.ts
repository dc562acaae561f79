import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { RubyDateTime } from '../values/ruby-date-time.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('DateTimeSerializer');

/** Ruby DateTime <-> RubyDateTime: `{ "_aj_serialized": "...DateTimeSerializer", "value": "2024-05-01T12:00:00.000000000+00:00" }`. */
export const dateTimeSerializer: BuiltinSerializer<RubyDateTime> = {
  name: NAME,
  isSerializable: (value): value is RubyDateTime => value instanceof RubyDateTime,
  serialize: (dateTime) => ({ [OBJECT_SERIALIZER_KEY]: NAME, value: dateTime.iso }),
  deserialize: (hash) => new RubyDateTime(requireString(hash, 'value', NAME)),
};
