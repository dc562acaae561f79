import { readFileSync } from 'node:fs';

function readPackageVersion(): string {
  // src/amqp/version.ts and dist/amqp/version.js both sit two levels below package.json.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** warren's package version, written into the `warren-version` header of every message. */
export const WARREN_VERSION: string = readPackageVersion();
