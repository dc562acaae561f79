import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { CalendarDate } from '../values/calendar-date.js';
import { railsSerializerName, requireString, type BuiltinSerializer } from './serializer.js';

const NAME = railsSerializerName('DateSerializer');

/** Ruby Date <-> CalendarDate: `{ "_aj_serialized": "...DateSerializer", "value": "2024-05-01" }`. */
export const dateSerializer: BuiltinSerializer<CalendarDate> = {
  name: NAME,
  isSerializable: (value): value is CalendarDate => value instanceof CalendarDate,
  serialize: (date) => ({ [OBJECT_SERIALIZER_KEY]: NAME, value: date.toString() }),
  deserialize: (hash) => CalendarDate.parse(requireString(hash, 'value', NAME)),
};
