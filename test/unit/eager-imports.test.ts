import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The packages `file` loads, following its relative value imports (not `import type`). */
function eagerPackages(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const statements = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const [, typeOnly, specifier] of text.matchAll(statements)) {
    if (typeOnly || !specifier) continue;
    if (specifier.startsWith('.')) eagerPackages(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), seen, packages);
    else if (!specifier.startsWith('node:')) packages.add(specifier);
  }
  return packages;
}

describe('what importing warren loads', () => {
  it('loads only the AMQP client, the connection manager and the logger; yaml, zod and protobufjs wait until used', () => {
    // Each of them costs a worker megabytes of memory it may never need (bench/README.md, Memory).
    expect([...eagerPackages(resolve(SRC, 'index.ts'))].sort()).toEqual(['amqp-connection-manager', 'amqplib', 'pino']);
  });

  it('sees through multi-line imports (the scan would miss a package otherwise)', () => {
    const cli = eagerPackages(resolve(SRC, 'cli/main.ts'));
    expect(cli.has('commander')).toBe(true);
  });
});
