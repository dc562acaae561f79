#!/usr/bin/env node
// Lets `npm run demo` and `npm test` work straight after a clone: installs the locked
// dependencies once, when node_modules is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('warren: installing dependencies (npm ci) for the first run...');
  const npm = (...args) => spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' }).status;
  if (npm('ci') !== 0) {
    console.error("warren: npm ci refused package-lock.json; run 'rm -rf node_modules && npm install' and commit the lock");
    process.exit(1);
  }
}
