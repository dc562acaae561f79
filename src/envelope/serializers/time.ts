import { SerializationError } from '../../errors.js';
import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { formatUtcIsoTime } from '../values/iso-time.js';
import { RubyTime } from '../values/ruby-time.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('TimeSerializer');

/**
 * Ruby Time <-> JS Date: `{ "_aj_serialized": "...TimeSerializer", "value": "2024-05-01T12:00:00.123000000Z" }`.
 * A Date is written in UTC with nine fractional digits, as Rails does. A Time is read as a
 * RubyTime: a Date that keeps the text Ruby wrote (microseconds, nanoseconds, offset) and
 * writes it back unchanged.
 */
export const timeSerializer: BuiltinSerializer<Date> = {
  name: NAME,
  isSerializable: (value): value is Date => value instanceof Date,
  serialize: (date) => {
    if (Number.isNaN(date.getTime())) throw new SerializationError('an invalid Date (NaN) cannot be serialized');
    return { [OBJECT_SERIALIZER_KEY]: NAME, value: date instanceof RubyTime ? date.iso : formatUtcIsoTime(date) };
  },
  deserialize: (hash) => {
    const text = requireString(hash, 'value', NAME);
    try {
      return new RubyTime(text);
    } catch {
      throw new RangeError('unparseable time: expected ISO 8601 with an offset');
    }
  },
};
