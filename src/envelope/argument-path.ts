/** "argument 1.user.tags[2]": where in the arguments a value sits, for error messages. */
export function describeArgumentPath(path: readonly (string | number)[]): string {
  const [first, ...rest] = path;
  const tail = rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part.length > 60 ? `${part.slice(0, 60)}...` : part}`));
  return `argument ${first ?? '?'}${tail.join('')}`;
}
