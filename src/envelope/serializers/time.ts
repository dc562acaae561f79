import { SerializationError } from '../../errors.js';
import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { formatUtcIsoTime, parseIsoTime } from '../values/iso-time.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('TimeSerializer');

/**
 * Ruby Time <-> JS Date: `{ "_aj_serialized": "...TimeSerializer", "value": "2024-05-01T12:00:00.123000000Z" }`.
 * warren writes UTC with nine fractional digits, as Rails does. Reading keeps the
 * instant to the millisecond: digits beyond milliseconds and the original offset are
 * not representable in a JS Date (use ZonedTime on the Ruby side for exact round trips).
 */
export const timeSerializer: BuiltinSerializer<Date> = {
  name: NAME,
  isSerializable: (value): value is Date => value instanceof Date,
  serialize: (date) => {
    if (Number.isNaN(date.getTime())) throw new SerializationError('an invalid Date (NaN) cannot be serialized');
    return { [OBJECT_SERIALIZER_KEY]: NAME, value: formatUtcIsoTime(date) };
  },
  deserialize: (hash) => {
    const text = requireString(hash, 'value', NAME);
    const parsed = parseIsoTime(text);
    if (!parsed) throw new RangeError('unparseable time: expected ISO 8601 with an offset');
    return new Date(parsed.epochMs);
  },
};
