import { InvalidArgumentError } from 'commander';

/** Repeatable option: `--queue a --queue b` -> ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole-number option value; a usage error otherwise. */
export function integer(flag: string, min = Number.MIN_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < min || value.trim() === '') {
      throw new InvalidArgumentError(`${flag} expects a whole number${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}, not "${value}"`);
    }
    return parsed;
  };
}
