import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { ZonedTime } from '../values/zoned-time.js';
import { railsSerializerName, requireString, type BuiltinSerializer, type WireHash } from './serializer.js';

const NAME = railsSerializerName('TimeWithZoneSerializer');

/**
 * ActiveSupport::TimeWithZone <-> ZonedTime:
 * `{ "_aj_serialized": "...TimeWithZoneSerializer", "value": "2024-05-01T05:00:00.000000000-07:00", "time_zone": "America/Los_Angeles" }`.
 * `time_zone` is Rails 7.1's; Rails 6.1 writes none and ignores it on read.
 */
export const timeWithZoneSerializer: BuiltinSerializer<ZonedTime> = {
  name: NAME,
  isSerializable: (value): value is ZonedTime => value instanceof ZonedTime,
  serialize: (time) => {
    const hash: WireHash = { [OBJECT_SERIALIZER_KEY]: NAME, value: time.iso };
    if (time.timeZone !== null) hash.time_zone = time.timeZone;
    return hash;
  },
  deserialize: (hash) => {
    const zone = hash.time_zone;
    if (zone !== undefined && zone !== null && (typeof zone !== 'string' || zone.length === 0 || zone.length > 100)) {
      throw new RangeError(`${NAME} "time_zone" must be a zone name`);
    }
    return new ZonedTime(requireString(hash, 'value', NAME), zone ?? null);
  },
};
