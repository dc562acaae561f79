import { readFileSync } from 'node:fs';
import { packageFile } from '../package-files.js';

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
