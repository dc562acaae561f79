import { markHoldsRubyFloats, RubyFloat } from './values/ruby-float.js';
import { DEFAULTS } from '../config/defaults.js';
import { SerializationError, WarrenError } from '../errors.js';
import { describeArgumentPath } from './argument-path.js';
import type { JsonValue } from './envelope.js';
import { GlobalId, isGlobalIdentification, type GlobalIdentification } from './global-id.js';
import {
  GLOBALID_KEY,
  OBJECT_SERIALIZER_KEY,
  RESERVED_KEYS,
  RUBY2_KEYWORDS_KEY,
  SYMBOL_KEYS_KEY,
  WITH_INDIFFERENT_ACCESS_KEY,
  isPrototypePath,
} from './reserved-keys.js';
import { rubyHashForm } from './ruby-hash.js';
import { builtinSerializerFor } from './serializers/builtins.js';
import { customSerializerFor } from './serializers/custom.js';
import type { RailsCompatibility, SerializeContext, WireHash } from './serializers/serializer.js';

/** Why common JS types that Active Job has no equivalent for are refused, with what to do instead. */
function unsupportedReason(value: object): string {
  if (value instanceof Map) return 'a Map cannot travel (Ruby has no equivalent that round-trips); pass Object.fromEntries(map) or register a serializer';
  if (value instanceof Set) return 'a Set cannot travel; pass Array.from(set) or register a serializer';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return 'binary data (Buffer/typed array) cannot travel in JSON; pass a base64 string or register a serializer';
  }
  const name = value.constructor?.name ?? 'object';
  return `unsupported argument type ${name}: pass a plain object, or register a serializer (registerSerializer)`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Walks perform arguments into Active Job's wire format. One writer per serializeArguments call. */
export class ArgumentWriter {
  readonly #ancestors = new Set<object>();
  readonly #path: (string | number)[] = [];
  readonly #compatibility: RailsCompatibility;
  readonly #maxDepth: number = DEFAULTS.maxArgumentDepth;
  #holdsFloats = false;

  constructor(compatibility: RailsCompatibility) {
    this.#compatibility = compatibility;
  }

  writeAll(args: readonly unknown[]): JsonValue[] {
    if (!Array.isArray(args)) throw new SerializationError('arguments must be an array');
    const result: JsonValue[] = [];
    for (let index = 0; index < args.length; index += 1) {
      this.#path.push(index);
      result.push(this.#write(args[index], 0));
      this.#path.pop();
    }
    if (this.#holdsFloats) markHoldsRubyFloats(result);
    return result;
  }

  /** A RubyFloat travels as itself; the envelope writer writes its text (`2.0`). */
  #float(value: RubyFloat): JsonValue {
    this.#holdsFloats = true;
    return value as unknown as JsonValue;
  }

  #fail(reason: string, cause?: unknown): never {
    throw new SerializationError(`${describeArgumentPath(this.#path)}: ${reason}`, cause === undefined ? undefined : { cause });
  }

  #write(value: unknown, depth: number): JsonValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
      case 'bigint':
        return value;
      case 'number':
        if (!Number.isFinite(value)) this.#fail(`${value} is not a finite number`);
        // JS -0 is a Float in Ruby (-0.0); JSON.stringify would write the Integer 0.
        return Object.is(value, -0) ? this.#float(new RubyFloat(-0)) : value;
      case 'undefined':
        return this.#fail('undefined cannot travel (pass null, or leave the key out of the object)');
      case 'symbol':
        return this.#fail('a JS symbol cannot travel; use RubySymbol for a Ruby Symbol');
      case 'function':
        return this.#fail('a function cannot travel');
      default:
        return value === null ? null : this.#writeObject(value as object, depth);
    }
  }

  #writeObject(value: object, depth: number): JsonValue {
    if (value instanceof RubyFloat) return this.#float(value);
    if (isGlobalIdentification(value)) return { [GLOBALID_KEY]: this.#globalIdText(value) };
    if (Array.isArray(value)) return this.#nested(value, depth, (inner) => this.#writeArray(value, inner));
    if (isPlainObject(value)) return this.#nested(value, depth, (inner) => this.#writeHash(value, inner));
    const builtin = builtinSerializerFor(value);
    if (builtin) return this.#nested(value, depth, (inner) => builtin.serialize(value as never, this.#context(inner)));
    const custom = customSerializerFor(value);
    if (custom) {
      return this.#nested(value, depth, (inner) => {
        let hash: WireHash;
        try {
          hash = custom.serialize(value, this.#context(inner));
        } catch (error) {
          if (error instanceof WarrenError) throw error;
          return this.#fail(`serializer ${custom.name} failed: ${(error as Error)?.message ?? String(error)}`, error);
        }
        return { [OBJECT_SERIALIZER_KEY]: custom.name, ...this.#checkCustomHash(custom.name, hash, inner) };
      });
    }
    return this.#fail(unsupportedReason(value));
  }

  /** Enters a container: depth limit and cycle check around `write`. */
  #nested(value: object, depth: number, write: (innerDepth: number) => JsonValue): JsonValue {
    const inner = depth + 1;
    if (inner > this.#maxDepth) this.#fail(`nested deeper than ${this.#maxDepth} levels (DEFAULTS.maxArgumentDepth)`);
    if (this.#ancestors.has(value)) this.#fail('circular reference');
    this.#ancestors.add(value);
    try {
      return write(inner);
    } finally {
      this.#ancestors.delete(value);
    }
  }

  #context(depth: number): SerializeContext {
    return {
      railsCompatibility: this.#compatibility,
      serialize: (nested) => this.#write(nested, depth),
    };
  }

  #writeArray(value: readonly unknown[], depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    for (let index = 0; index < value.length; index += 1) {
      this.#path.push(index);
      result.push(this.#write(value[index], depth));
      this.#path.pop();
    }
    return result;
  }

  #writeHash(value: Record<string, unknown>, depth: number): WireHash {
    for (const symbol of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, symbol)) {
        this.#fail(`only string keys can travel, but the object has the symbol key ${String(symbol)}`);
      }
    }
    const parentKey = this.#path[this.#path.length - 1];
    const result: WireHash = {};
    const keys = Object.keys(value);
    for (const key of keys) {
      if (RESERVED_KEYS.has(key)) this.#fail(`Can't serialize a Hash with reserved key "${key}"`);
      if (isPrototypePath(typeof parentKey === 'string' ? parentKey : undefined, key)) {
        this.#fail(`the key "${key}" is refused: it could reach an object prototype when read`);
      }
      const item = value[key];
      if (item === undefined) continue;
      this.#path.push(key);
      result[key] = this.#write(item, depth);
      this.#path.pop();
    }
    const form = rubyHashForm(value);
    const present = (names: readonly string[]) => names.filter((name) => Object.hasOwn(result, name));
    if (form.kind === 'indifferent_access') result[WITH_INDIFFERENT_ACCESS_KEY] = true;
    else if (form.kind === 'ruby2_keywords') result[RUBY2_KEYWORDS_KEY] = present(form.symbolKeys);
    else result[SYMBOL_KEYS_KEY] = present(form.symbolKeys);
    return result;
  }

  #globalIdText(value: GlobalIdentification): string {
    let id: GlobalId | string;
    try {
      id = value.toGlobalId();
    } catch (error) {
      return this.#fail(`toGlobalId() failed: ${(error as Error)?.message ?? String(error)}`, error);
    }
    const parsed = id instanceof GlobalId ? id : GlobalId.tryParse(id);
    if (typeof parsed === 'string') return this.#fail(`toGlobalId() returned an invalid GlobalID: ${parsed}`);
    return parsed.toString();
  }

  /** A custom serializer's output must be JSON that warren itself could have written. */
  #checkCustomHash(name: string, hash: unknown, depth: number): WireHash {
    if (typeof hash !== 'object' || hash === null || Array.isArray(hash) || !isPlainObject(hash)) {
      this.#fail(`serializer ${name} must return a plain object`);
    }
    if (Object.hasOwn(hash, OBJECT_SERIALIZER_KEY)) {
      this.#fail(`serializer ${name} must not set "${OBJECT_SERIALIZER_KEY}" itself`);
    }
    const check = (item: unknown, level: number): void => {
      if (level > this.#maxDepth) this.#fail(`serializer ${name} returned values nested deeper than ${this.#maxDepth} levels`);
      if (item === null || typeof item === 'string' || typeof item === 'boolean' || typeof item === 'bigint') return;
      if (typeof item === 'number') {
        if (!Number.isFinite(item)) this.#fail(`serializer ${name} returned a non-finite number`);
        return;
      }
      if (Array.isArray(item)) {
        for (const element of item) check(element, level + 1);
        return;
      }
      if (typeof item === 'object' && isPlainObject(item)) {
        for (const key of Object.keys(item)) {
          if (key === '__proto__') this.#fail(`serializer ${name} returned the key "__proto__"`);
          check(item[key], level + 1);
        }
        return;
      }
      this.#fail(`serializer ${name} returned a value that is not JSON (${typeof item}); use context.serialize for nested arguments`);
    };
    check(hash, depth);
    return hash as WireHash;
  }
}
