import type { JsonValue } from '../envelope.js';
import { OBJECT_SERIALIZER_KEY } from '../reserved-keys.js';
import { Duration, isDurationUnit, type DurationUnit } from '../values/duration.js';
import { railsSerializerName, type BuiltinSerializer } from './serializer.js';
import { symbolNameOf, symbolWire } from './symbol.js';

const NAME = railsSerializerName('DurationSerializer');

/**
 * ActiveSupport::Duration <-> Duration:
 * `{ "_aj_serialized": "...DurationSerializer", "value": 5400, "parts": [[<Symbol hours>, 1], [<Symbol minutes>, 30]] }`.
 * `parts` is Active Support's parts Hash flattened by Arguments.serialize into pairs,
 * each unit a serialized Symbol, exactly as Rails writes it.
 */
export const durationSerializer: BuiltinSerializer<Duration> = {
  name: NAME,
  isSerializable: (value): value is Duration => value instanceof Duration,
  serialize: (duration) => ({
    [OBJECT_SERIALIZER_KEY]: NAME,
    value: duration.value,
    parts: Object.entries(duration.parts).map(([unit, amount]): JsonValue => [symbolWire(unit), amount as number]),
  }),
  deserialize: (hash) => {
    const { value, parts } = hash;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${NAME} needs a numeric "value"`);
    if (!Array.isArray(parts)) throw new RangeError(`${NAME} needs "parts" as a list of [unit, amount] pairs`);
    const read: Partial<Record<DurationUnit, number>> = {};
    for (const pair of parts) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new RangeError(`${NAME} parts must be [unit, amount] pairs`);
      const unit = typeof pair[0] === 'string' ? pair[0] : symbolNameOf(pair[0]);
      const amount = pair[1];
      if (unit === undefined || !isDurationUnit(unit)) throw new RangeError(`${NAME} has an unknown unit`);
      if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new RangeError(`${NAME} ${unit} must be a number`);
      read[unit] = amount;
    }
    return new Duration(value, read);
  },
};
