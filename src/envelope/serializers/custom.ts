import { RegistrationError } from '../../errors.js';
import { builtinSerializerNamed } from './builtins.js';
import type { ArgumentSerializer } from './serializer.js';

const serializers = new Map<string, ArgumentSerializer<unknown>>();

/**
 * Registers a custom argument serializer. Its name must be unique and must not be one
 * of Rails' built-in serializer names; a duplicate is a RegistrationError.
 */
export function registerSerializer<T>(serializer: ArgumentSerializer<T>): void {
  const { name } = serializer ?? {};
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new RegistrationError('a serializer needs a non-empty name (at most 256 characters)');
  }
  for (const method of ['isSerializable', 'serialize', 'deserialize'] as const) {
    if (typeof serializer[method] !== 'function') throw new RegistrationError(`serializer ${name} has no ${method} function`);
  }
  if (builtinSerializerNamed(name)) throw new RegistrationError(`serializer name ${name} is one of Rails' built-in serializers`);
  if (serializers.has(name)) throw new RegistrationError(`a serializer named ${name} is already registered`);
  serializers.set(name, serializer as ArgumentSerializer<unknown>);
}

export function customSerializerNamed(name: string): ArgumentSerializer<unknown> | undefined {
  return serializers.get(name);
}

export function customSerializerFor(value: unknown): ArgumentSerializer<unknown> | undefined {
  for (const serializer of serializers.values()) {
    if (serializer.isSerializable(value)) return serializer;
  }
  return undefined;
}

/** Removes every custom serializer (tests). */
export function resetSerializers(): void {
  serializers.clear();
}
