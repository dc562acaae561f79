/** Active Job's marker keys (ActiveJob::Arguments). A user Hash may not contain any of them. */
export const GLOBALID_KEY = '_aj_globalid';
export const SYMBOL_KEYS_KEY = '_aj_symbol_keys';
export const RUBY2_KEYWORDS_KEY = '_aj_ruby2_keywords';
export const WITH_INDIFFERENT_ACCESS_KEY = '_aj_hash_with_indifferent_access';
export const OBJECT_SERIALIZER_KEY = '_aj_serialized';

/** Exactly Rails' RESERVED_KEYS (as strings); other `_aj_` keys are ordinary keys, as in Rails. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  GLOBALID_KEY,
  SYMBOL_KEYS_KEY,
  RUBY2_KEYWORDS_KEY,
  WITH_INDIFFERENT_ACCESS_KEY,
  OBJECT_SERIALIZER_KEY,
]);

/**
 * Keys refused in both directions because they reach prototypes: `__proto__` anywhere,
 * and `prototype` inside a hash under `constructor` (the `constructor.prototype` path
 * that naive deep-merge code follows). Other `constructor`/`prototype` keys are plain data.
 */
export const PROTO_KEY = '__proto__';

export function isPrototypePath(parentKey: string | undefined, key: string): boolean {
  return key === PROTO_KEY || (parentKey === 'constructor' && key === 'prototype');
}
