/** The own property names of Object.prototype, sorted: compare before and after to detect prototype pollution. */
export function snapshotObjectPrototype(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
