#!/usr/bin/env node
// Runs the test suite in two phases (parallel, then serial broker-disruptive tests)
// and ends the output with one plain line: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, readdirSync } from 'node:fs';

const extra = process.argv.slice(2);
const phases = ['parallel'];
const hasSerial = existsSync('test/serial') && readdirSync('test/serial').some((f) => f.endsWith('.test.ts'));
if (hasSerial && extra.length === 0) phases.push('serial');

let passed = 0;
let failed = 0;
let crashed = false;
/** Every failed test, named again just above the last line: CI logs are often read from their tail. */
const failures = [];

for (const phase of phases) {
  const out = `.vitest-results-${phase}.json`;
  rmSync(out, { force: true });
  const result = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], {
    stdio: 'inherit',
    env: { ...process.env, WARREN_TEST_PHASE: phase },
  });
  if (!existsSync(out)) {
    console.error(`vitest (${phase} phase) wrote no results; exit status ${result.status}`);
    failed += 1;
    crashed = true;
    continue;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out, { force: true });
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (test.status !== 'failed') continue;
      const reason =
        String(test.failureMessages?.[0] ?? '')
          .split('\n')
          .find((line) => line.trim()) ?? '';
      failures.push(`${phase}: ${file.name.replace(`${process.cwd()}/`, '')} > ${test.fullName}\n    ${reason.slice(0, 300)}`);
    }
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A file that failed to load (syntax error, failed setup) has no tests but still fails the run.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0);
  for (const f of brokenFiles) console.error(`failed to run: ${f.name}\n${f.message}`);
  failed += brokenFiles.length;
  if (result.status !== 0 && report.numFailedTests === 0 && brokenFiles.length === 0) {
    // Failed outside any test (global setup: no broker; an unhandled error): count it as a failure.
    console.error(`vitest (${phase} phase) exited with status ${result.status} outside any test`);
    failed += 1;
  }
}

if (failures.length > 0) console.log(`\nfailed tests:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || crashed || passed === 0 ? 1 : 0);
