import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The folder of warren's own package.json: found by walking up from this module, so it is
 * the same from the sources (src/), the bundled build (dist/ and its chunks) and the
 * benchmark builds, whatever depth the module ends up at.
 */
function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === 'warren') break;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`warren cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

/** The path of a file shipped with the package (package.json, schemas/...), from the package root. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** warren's package version, written into the `warren-version` header of every message. */
export const WARREN_VERSION: string = readPackageVersion();
