import { RubyFloat } from '../values/ruby-float.js';
import { DEFAULTS } from '../../config/defaults.js';
import { EnvelopeError } from '../../errors.js';
import type { JsonValue } from '../envelope.js';

/**
 * How deeply an envelope's arguments may nest as JSON. Arguments themselves are limited
 * to DEFAULTS.maxArgumentDepth levels; serializers add at most three JSON levels per
 * argument level (Duration parts: hash -> list -> pair -> Symbol hash), so anything
 * deeper than this was not written by a conforming writer. Codecs refuse it before
 * anything downstream walks it (a stack-safety bound, not a tuning knob).
 */
export const MAX_WIRE_NESTING = DEFAULTS.maxArgumentDepth * 4;

/** Options every codec takes. */
export interface CodecOptions {
  /** Largest body encoded or decoded, in bytes. Default: DEFAULTS.maxMessageBytes. */
  maxMessageBytes?: number;
}

export function checkSize(bytes: number, limit: number, direction: 'encoded' | 'received'): void {
  if (bytes > limit) throw new EnvelopeError(`${direction} message of ${bytes} bytes exceeds the ${limit}-byte limit`);
}

/**
 * Checks that `args` is JSON that fits the nesting bound. With `strict`, also that every
 * value is a JSON value (finite numbers, plain objects): used on encode, where arguments
 * might not have come through serializeArguments.
 */
export function checkWireArguments(args: readonly JsonValue[], strict: boolean): { holdsRubyFloats: boolean } {
  const seen = { holdsRubyFloats: false };
  for (const argument of args) visitWireValue(argument, 0, strict, seen);
  return seen;
}

function visitWireValue(value: unknown, depth: number, strict: boolean, seen: { holdsRubyFloats: boolean }): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return;
  if (typeof value === 'number') {
    if (strict && !Number.isFinite(value)) throw new EnvelopeError('arguments contain a number that is not finite');
    return;
  }
  // A whole-number Float as received (Ruby's 1.0) or written (RubyFloat): a number in JSON.
  if (value instanceof RubyFloat) {
    seen.holdsRubyFloats = true;
    return;
  }
  if (typeof value !== 'object') throw new EnvelopeError(`arguments contain a value that is not JSON (${typeof value})`);
  if (depth >= MAX_WIRE_NESTING) throw new EnvelopeError(`arguments nest deeper than ${MAX_WIRE_NESTING} levels`);
  if (Array.isArray(value)) {
    for (const item of value) visitWireValue(item, depth + 1, strict, seen);
    return;
  }
  if (strict) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new EnvelopeError('arguments contain an object that is not plain JSON');
  }
  for (const key of Object.keys(value)) visitWireValue((value as Record<string, unknown>)[key], depth + 1, strict, seen);
}
