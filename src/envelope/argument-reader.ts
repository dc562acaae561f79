import { RubyFloat } from './values/ruby-float.js';
import { DEFAULTS } from '../config/defaults.js';
import { DeserializationError, WarrenError } from '../errors.js';
import { isThenable } from '../support/thenable.js';
import { describeArgumentPath } from './argument-path.js';
import type { JsonValue } from './envelope.js';
import { GlobalId } from './global-id.js';
import { locateAll } from './locators.js';
import {
  GLOBALID_KEY,
  OBJECT_SERIALIZER_KEY,
  RUBY2_KEYWORDS_KEY,
  SYMBOL_KEYS_KEY,
  WITH_INDIFFERENT_ACCESS_KEY,
  PROTO_KEY,
  isPrototypePath,
} from './reserved-keys.js';
import { markRubyHash } from './ruby-hash.js';
import { builtinSerializerNamed } from './serializers/builtins.js';
import { customSerializerNamed } from './serializers/custom.js';
import type { WireHash } from './serializers/serializer.js';

/** A value known only after an await: a record to locate, or an async custom serializer's result. */
type Pending =
  | { readonly kind: 'record'; readonly globalId: GlobalId }
  | { readonly kind: 'promise'; readonly settled: Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> };

class PendingValue {
  constructor(readonly pending: Pending) {}
}

type Container = unknown[] | Record<string, unknown>;

/** Where a pending value goes once it is known. */
interface Slot {
  readonly container: Container;
  readonly key: number | string;
  readonly pending: Pending;
}

/**
 * Reads Active Job's wire format back into JS values. A synchronous walk builds the
 * values; GlobalIDs and async custom serializers leave slots that are filled after one
 * batched lookup, so a job's records are located together and an unregistered model
 * fails before any record is loaded.
 */
export class ArgumentReader {
  readonly #slots: Slot[] = [];
  readonly #path: (string | number)[] = [];
  readonly #maxDepth: number = DEFAULTS.maxArgumentDepth;

  constructor(private readonly startDepth = 0) {}

  async readAll(args: readonly JsonValue[]): Promise<unknown[]> {
    return this.read(args);
  }

  /** As readAll, but synchronous when nothing needs an await (no GlobalID, no async serializer). */
  read(args: readonly JsonValue[]): unknown[] | Promise<unknown[]> {
    if (!Array.isArray(args)) throw new DeserializationError('arguments must be an array');
    const result: unknown[] = [];
    for (let index = 0; index < args.length; index += 1) {
      this.#path.push(index);
      this.#readInto(result, index, args[index], this.startDepth, undefined);
      this.#path.pop();
    }
    if (this.#slots.length === 0) return result;
    return this.#fillSlots().then(() => result);
  }

  #fail(reason: string, cause?: unknown): never {
    throw new DeserializationError(bounded(`${describeArgumentPath(this.#path)}: ${reason}`), cause === undefined ? undefined : { cause });
  }

  #readInto(container: Container, key: number | string, wire: unknown, depth: number, parentKey: string | undefined): void {
    const value = this.#read(wire, depth, parentKey, true);
    if (value instanceof PendingValue) this.#slots.push({ container, key, pending: value.pending });
    (container as Record<string | number, unknown>)[key] = value;
  }

  #read(wire: unknown, depth: number, parentKey: string | undefined, allowPending: boolean): unknown {
    switch (typeof wire) {
      case 'string':
      case 'boolean':
      case 'bigint':
        return wire;
      case 'number':
        if (!Number.isFinite(wire)) this.#fail('a number that is not finite');
        return wire;
      case 'object':
        if (wire === null) return null;
        if (Array.isArray(wire)) return this.#readArray(wire, depth);
        if (Object.getPrototypeOf(wire) === Object.prototype || Object.getPrototypeOf(wire) === null) {
          return this.#readHash(wire as WireHash, depth, parentKey, allowPending);
        }
        // A whole-number Float from the wire (Ruby's 1.0): perform receives the number.
        if (wire instanceof RubyFloat) return wire.value;
        return this.#fail('a value that is not JSON');
      default:
        return this.#fail(`a value that is not JSON (${typeof wire})`);
    }
  }

  #enter(depth: number): number {
    const inner = depth + 1;
    if (inner > this.#maxDepth) this.#fail(`nested deeper than ${this.#maxDepth} levels (DEFAULTS.maxArgumentDepth)`);
    return inner;
  }

  #readArray(wire: readonly unknown[], depth: number): unknown[] {
    const inner = this.#enter(depth);
    const result: unknown[] = [];
    for (let index = 0; index < wire.length; index += 1) {
      this.#path.push(index);
      this.#readInto(result, index, wire[index], inner, undefined);
      this.#path.pop();
    }
    return result;
  }

  #readHash(wire: WireHash, depth: number, parentKey: string | undefined, allowPending: boolean): unknown {
    const keys = Object.keys(wire);
    if (keys.length === 1 && keys[0] === GLOBALID_KEY) return this.#readGlobalId(wire[GLOBALID_KEY], allowPending);
    // Checked before the serializer key: with both, Rails' reader would silently drop the GlobalID.
    if (Object.hasOwn(wire, GLOBALID_KEY)) this.#fail(`a hash with the reserved key "${GLOBALID_KEY}" beside other keys`);
    if (Object.hasOwn(wire, OBJECT_SERIALIZER_KEY)) return this.#readSerialized(wire, depth, allowPending);

    const inner = this.#enter(depth);
    const result: Record<string, unknown> = {};
    let indifferent = false;
    let symbolKeys: string[] | undefined;
    let keywordKeys: string[] | undefined;
    for (const key of keys) {
      const item = wire[key];
      if (key === WITH_INDIFFERENT_ACCESS_KEY) indifferent = Boolean(item);
      else if (key === SYMBOL_KEYS_KEY) symbolKeys = this.#keyList(key, item);
      else if (key === RUBY2_KEYWORDS_KEY) keywordKeys = this.#keyList(key, item);
      else if (key === GLOBALID_KEY) this.#fail(`a hash with the reserved key "${key}" beside other keys`);
      else {
        if (isPrototypePath(parentKey, key)) this.#fail(`the key "${key}" is refused: it could reach an object prototype`);
        this.#path.push(key);
        this.#readInto(result, key, item, inner, key);
        this.#path.pop();
      }
    }
    // A key list names keys of this hash, and never one that reaches a prototype.
    for (const [listKey, listed] of [
      [SYMBOL_KEYS_KEY, symbolKeys],
      [RUBY2_KEYWORDS_KEY, keywordKeys],
    ] as const) {
      for (const name of listed ?? []) {
        if (PROTOTYPE_KEYS.has(name)) this.#fail(`"${listKey}" names "${name}", which could reach an object prototype`);
        if (!Object.hasOwn(result, name)) this.#fail(`"${listKey}" names "${name.slice(0, 64)}", which is not a key of the hash`);
      }
    }
    // The same precedence as Rails' deserialize_hash.
    if (indifferent) markRubyHash(result, 'indifferent_access');
    else if (symbolKeys) {
      if (symbolKeys.length > 0) markRubyHash(result, 'symbol_keys', symbolKeys);
    } else if (keywordKeys) markRubyHash(result, 'ruby2_keywords', keywordKeys);
    return result;
  }

  #keyList(key: string, value: JsonValue | undefined): string[] {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) this.#fail(`"${key}" must be a list of strings`);
    return value as string[];
  }

  #readGlobalId(text: JsonValue | undefined, allowPending: boolean): PendingValue {
    const parsed = GlobalId.tryParse(text);
    if (typeof parsed === 'string') this.#fail(`invalid GlobalID: ${parsed}`);
    if (!allowPending) this.#fail('a GlobalID is not allowed here');
    return new PendingValue({ kind: 'record', globalId: parsed });
  }

  #readSerialized(wire: WireHash, depth: number, allowPending: boolean): unknown {
    const name = wire[OBJECT_SERIALIZER_KEY];
    if (typeof name !== 'string') this.#fail(`"${OBJECT_SERIALIZER_KEY}" must be a serializer name`);
    if (Object.hasOwn(wire, PROTO_KEY)) this.#fail(`the key "${PROTO_KEY}" is refused: it could reach an object prototype`);
    const shown = JSON.stringify(name.slice(0, 120));
    const builtin = builtinSerializerNamed(name);
    if (builtin) {
      const inner = this.#enter(depth);
      try {
        return builtin.deserialize(wire, { read: (nested) => this.#read(nested ?? null, inner, undefined, false) });
      } catch (error) {
        if (error instanceof WarrenError) throw error;
        return this.#fail(`${name}: ${(error as Error)?.message ?? String(error)}`, error);
      }
    }
    const custom = customSerializerNamed(name);
    if (!custom) this.#fail(`unknown serializer ${shown}: not a Rails built-in and not registered with registerSerializer`);
    const inner = this.#enter(depth);
    const context = { deserialize: (nested: JsonValue) => readArgument(nested, inner) };
    let value: unknown;
    try {
      value = custom.deserialize(wire, context);
    } catch (error) {
      if (error instanceof WarrenError) throw error;
      return this.#fail(`serializer ${name} failed: ${(error as Error)?.message ?? String(error)}`, error);
    }
    if (!isThenable(value)) return value;
    if (!allowPending) this.#fail(`serializer ${name} is async, which is not allowed here`);
    const where = [...this.#path];
    const settled = Promise.resolve(value).then(
      (result) => ({ ok: true as const, value: result }),
      (error: unknown) => ({ ok: false as const, error: wrapSerializerError(name, where, error) }),
    );
    return new PendingValue({ kind: 'promise', settled });
  }

  async #fillSlots(): Promise<void> {
    const globalIds = this.#slots.flatMap((slot) => (slot.pending.kind === 'record' ? [slot.pending.globalId] : []));
    const records = globalIds.length > 0 ? await locateAll(globalIds) : new Map<string, unknown>();
    for (const { container, key, pending } of this.#slots) {
      let value: unknown;
      if (pending.kind === 'record') value = records.get(pending.globalId.toString());
      else {
        const outcome = await pending.settled;
        if (!outcome.ok) throw outcome.error;
        value = outcome.value;
      }
      (container as Record<string | number, unknown>)[key] = value;
    }
  }
}

function wrapSerializerError(name: string, path: readonly (string | number)[], error: unknown): unknown {
  if (error instanceof WarrenError) return error;
  return new DeserializationError(bounded(`${describeArgumentPath(path)}: serializer ${name} failed: ${(error as Error)?.message ?? String(error)}`), {
    cause: error,
  });
}

/** One nested value through the whole pipeline (custom serializers' `context.deserialize`). */
async function readArgument(value: JsonValue, depth: number): Promise<unknown> {
  const [result] = await new ArgumentReader(depth).readAll([value]);
  return result;
}

/** Error messages quote what a message carried (keys, serializer names): bounded, so no log line grows with the message. */
function bounded(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}... (${message.length - MAX_MESSAGE_CHARS} more characters)` : message;
}

const MAX_MESSAGE_CHARS = 1_000;

/** A key list naming one of these could reach an object's prototype when the hash is rebuilt. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__']);
