import { spawn } from 'node:child_process';
import { expect, inject, it } from 'vitest';
import { ensureBrokerRunning } from '../fixtures/fault/broker-admin.js';
import { repositoryRoot } from '../support/paths.js';

const url = inject('amqpUrl');

interface SoakSummary {
  enqueued: number;
  performed: number;
  lost: number;
  duplicates: number;
  kills: number;
  restarts: number;
  closes: number;
  deadLetters: number;
  leftover: number;
  early: number;
  seconds: number;
}

it('the chaos soak (2,000 jobs of the issue-14 mix: delays, retries, performLater and performAllLater; 5 SIGKILLs, 2 broker restarts, 3 forced closes) loses nothing, leaves nothing and exits 0', {
  timeout: 240_000,
}, async () => {
  const output: string[] = [];
  // --stall 60: a job that never arrives is reported (lost), within the test's time, not a timeout.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/soak.ts', '--jobs', '2000', '--seconds', '40', '--stall', '60', '--json'], {
    cwd: repositoryRoot,
    env: { ...process.env, AMQP_URL: url, WARREN_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  // Past 200 s, interrupt it (it then cleans up and prints what it counted) rather than let the
  // test time out with nothing to show.
  const deadline = setTimeout(() => {
    output.push('\n[soak test] 200 s passed: interrupting the soak (SIGINT)\n');
    child.kill('SIGINT');
  }, 200_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(deadline);
  await ensureBrokerRunning();
  const text = output.join('');
  const json = text.split('\n').find((line) => line.startsWith('{"jobs"'));
  expect(json, text).toBeDefined();
  const summary = JSON.parse(json!) as SoakSummary;
  console.info(text.slice(text.indexOf('chaos soak:')));
  expect(code, text).toBe(0);
  expect(summary).toMatchObject({ enqueued: 2000, performed: 2000, lost: 0, kills: 5, restarts: 2, closes: 3, deadLetters: 0, leftover: 0, early: 0 });
});
