/**
 * Ruby hashes come in forms JS objects cannot show: symbol keys (`{ id: 1 }`),
 * keyword arguments (`perform(user, notify: true)`, marked ruby2_keywords) and
 * HashWithIndifferentAccess. warren keeps the form in a non-enumerable symbol
 * property, so a deserialized object looks like a plain object but re-serializes
 * with the same `_aj_symbol_keys` / `_aj_ruby2_keywords` /
 * `_aj_hash_with_indifferent_access` marker: a Rails job round-trips through
 * TypeScript unchanged. Spreading or copying an object drops the form (the copy is
 * a string-keyed Hash), which is what a new object should be.
 */

/** How a hash travels to Ruby. */
export type RubyHashKind = 'string_keys' | 'symbol_keys' | 'ruby2_keywords' | 'indifferent_access';

export interface RubyHashForm {
  readonly kind: RubyHashKind;
  /** Keys Ruby sees as Symbols (for `symbol_keys` and `ruby2_keywords`). */
  readonly symbolKeys: readonly string[];
}

const FORM = Symbol.for('warren.rubyHashForm');

const STRING_KEYS: RubyHashForm = Object.freeze({ kind: 'string_keys', symbolKeys: Object.freeze([]) });

/** Marks `hash` in place (internal: the deserializer uses it on objects it just built). */
export function markRubyHash<T extends object>(hash: T, kind: RubyHashKind, symbolKeys: readonly string[] = []): T {
  const form: RubyHashForm = Object.freeze({ kind, symbolKeys: Object.freeze([...symbolKeys]) });
  Object.defineProperty(hash, FORM, { value: form, enumerable: false, configurable: true, writable: false });
  return hash;
}

/** The form a hash travels in; a plain object without a mark is a string-keyed Hash. */
export function rubyHashForm(hash: object): RubyHashForm {
  const form = (hash as { [FORM]?: RubyHashForm })[FORM];
  return form ?? STRING_KEYS;
}

/**
 * A copy of `hash` that Ruby receives with Symbol keys (all keys unless `keys` names some):
 * `withSymbolKeys({ id: 1 })` arrives as `{ id: 1 }` in Ruby, not `{ "id" => 1 }`.
 */
export function withSymbolKeys<T extends object>(hash: T, keys?: readonly (keyof T & string)[]): T {
  return markRubyHash({ ...hash }, 'symbol_keys', keys ?? Object.keys(hash));
}

/**
 * A copy of `hash` that Ruby receives as keyword arguments: the last argument of
 * `performLater(user, asKeywordArguments({ notify: true }))` becomes `notify: true`
 * for `def perform(user, notify:)`.
 */
export function asKeywordArguments<T extends object>(hash: T): T {
  return markRubyHash({ ...hash }, 'ruby2_keywords', Object.keys(hash));
}

/** A copy of `hash` that Ruby receives as an `ActiveSupport::HashWithIndifferentAccess`. */
export function withIndifferentAccess<T extends object>(hash: T): T {
  return markRubyHash({ ...hash }, 'indifferent_access');
}
