import { bigDecimalSerializer } from './big-decimal.js';
import { dateTimeSerializer } from './date-time.js';
import { dateSerializer } from './date.js';
import { durationSerializer } from './duration.js';
import { moduleSerializer } from './module.js';
import { rangeSerializer } from './range.js';
import type { BuiltinSerializer } from './serializer.js';
import { symbolSerializer } from './symbol.js';
import { timeWithZoneSerializer } from './time-with-zone.js';
import { timeSerializer } from './time.js';

/** Rails' built-in serializers that warren reads and writes, checked in this order when writing. */
export const BUILTIN_SERIALIZERS: readonly BuiltinSerializer<never>[] = Object.freeze([
  timeSerializer,
  timeWithZoneSerializer,
  dateTimeSerializer,
  dateSerializer,
  durationSerializer,
  symbolSerializer,
  bigDecimalSerializer,
  rangeSerializer,
  moduleSerializer,
] as BuiltinSerializer<never>[]);

const byName = new Map<string, BuiltinSerializer<unknown>>(
  BUILTIN_SERIALIZERS.map((serializer) => [serializer.name, serializer as BuiltinSerializer<unknown>]),
);

export function builtinSerializerNamed(name: string): BuiltinSerializer<unknown> | undefined {
  return byName.get(name);
}

export function builtinSerializerFor(value: object): BuiltinSerializer<unknown> | undefined {
  for (const serializer of BUILTIN_SERIALIZERS) {
    if (serializer.isSerializable(value)) return serializer as BuiltinSerializer<unknown>;
  }
  return undefined;
}
