// STUB: the signature is the contract; the envelope helper replaces the body.
import type { JsonValue } from './envelope.js';

/**
 * Serialize perform arguments into Active Job's wire format.
 * Throws SerializationError (at enqueue time) for anything unsupported.
 */
export function serializeArguments(args: readonly unknown[]): JsonValue[] {
  return args as JsonValue[];
}

/**
 * Read arguments back. Async because GlobalID locators may load records.
 * Throws DeserializationError for malformed values, unknown serializers,
 * GlobalIDs of unregistered models and records that are not found.
 */
export async function deserializeArguments(args: readonly JsonValue[]): Promise<unknown[]> {
  return args as unknown[];
}
