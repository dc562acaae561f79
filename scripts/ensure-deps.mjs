#!/usr/bin/env node
// Lets `npm run demo` and `npm test` work straight after a clone: installs the locked
// dependencies once, when node_modules is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('warren: installing dependencies (npm ci) for the first run...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
