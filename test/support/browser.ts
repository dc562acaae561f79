import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where a Chromium or Chrome is usually installed (Debian's `chromium` package first). */
const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser the dashboard tests drive: $CHROMIUM_PATH, else the first of the usual places.
 * None found fails the test (browser tests are never skipped) with how to install one.
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new Error(`CHROMIUM_PATH is ${fromEnv}, which is not an executable file`);
    return fromEnv;
  }
  const found = CANDIDATES.find(executable);
  if (!found) {
    throw new Error(
      `the dashboard's browser tests need Chromium and found none (looked in ${CANDIDATES.join(', ')}): ` +
        'install it with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome executable',
    );
  }
  return found;
}

/** Headless Chromium through playwright-core (no browser download: the system's own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
