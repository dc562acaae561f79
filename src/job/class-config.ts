/**
 * Per-class configuration (callbacks, rescue rules, queue, priority) stored per
 * constructor, so a subclass inherits its parent's declarations while its own
 * additions never leak into the parent. Lists resolve along the prototype chain,
 * base class first; single values resolve to the nearest class that set one.
 */
const store = new WeakMap<object, Map<string, unknown>>();

function own(jobClass: object): Map<string, unknown> {
  let entries = store.get(jobClass);
  if (!entries) {
    entries = new Map();
    store.set(jobClass, entries);
  }
  return entries;
}

/** The class and its ancestors, base class first (stops before Function.prototype). */
function lineage(jobClass: object): object[] {
  const chain: object[] = [];
  for (let current: object | null = jobClass; current && current !== Function.prototype; ) {
    chain.unshift(current);
    current = Object.getPrototypeOf(current) as object | null;
  }
  return chain;
}

/** A typed key for one piece of class configuration. */
export interface ConfigKey<T> {
  readonly name: string;
  /** Phantom field carrying the value type. */
  readonly __type?: T;
}

export function configKey<T>(name: string): ConfigKey<T> {
  return { name };
}

/**
 * Resolved values, remembered per class and key until any class's configuration changes
 * (declarations happen at start-up; lookups happen for every job).
 */
let revision = 0;
const resolved = new WeakMap<object, Map<object, { revision: number; value: unknown }>>();

function memoized<T>(jobClass: object, key: object, resolve: () => T): T {
  let entries = resolved.get(jobClass);
  if (!entries) {
    entries = new Map();
    resolved.set(jobClass, entries);
  }
  const hit = entries.get(key);
  if (hit && hit.revision === revision) return hit.value as T;
  const value = resolve();
  entries.set(key, { revision, value });
  return value;
}

/** Append to the class's own list. */
export function appendOwn<T>(jobClass: object, key: ConfigKey<T>, item: T): void {
  const entries = own(jobClass);
  const list = (entries.get(key.name) as T[] | undefined) ?? [];
  entries.set(key.name, [...list, item]);
  revision += 1;
}

/** Every item declared on the class and its ancestors, base class first, in declaration order. */
export function inheritedList<T>(jobClass: object, key: ConfigKey<T>): readonly T[] {
  return memoized(jobClass, key, () => Object.freeze(lineage(jobClass).flatMap((cls) => (store.get(cls)?.get(key.name) as T[] | undefined) ?? [])));
}

/** Set the class's own value. */
export function setOwn<T>(jobClass: object, key: ConfigKey<T>, value: T): void {
  own(jobClass).set(key.name, value);
  revision += 1;
}

/** The value set by the class or its nearest ancestor that set one. */
export function nearest<T>(jobClass: object, key: ConfigKey<T>): T | undefined {
  return memoized(jobClass, key, () => {
    for (const cls of lineage(jobClass).reverse()) {
      const entries = store.get(cls);
      if (entries?.has(key.name)) return entries.get(key.name) as T;
    }
    return undefined;
  });
}
