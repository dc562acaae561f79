// `warren generate job`, run in a throwaway app that installs warren as a package would be
// (node_modules/warren, imported as 'warren' and 'warren/testing'): the generated test passes as
// generated.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../support/paths.js';
import { runCli } from '../support/processes.js';

const run = promisify(execFile);
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'warren-generate-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', type: 'module', private: true }));
  // warren as an installed package, its entry points on this checkout's sources.
  const installed = join(app, 'node_modules', 'warren');
  mkdirSync(installed, { recursive: true });
  writeFileSync(
    join(installed, 'package.json'),
    JSON.stringify({ name: 'warren', type: 'module', exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' } }),
  );
  symlinkSync(join(repositoryRoot, 'src'), join(installed, 'src'));
});

afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Runs a generated test file with node's test runner, TypeScript through tsx. */
function nodeTest(file: string): Promise<{ stdout: string; stderr: string }> {
  const tsx = pathToFileURL(join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  // TAP on every Node: Node 26's default reporter for a pipe is no longer TAP.
  return run(process.execPath, ['--import', tsx, '--test', '--test-reporter=tap', file], { cwd: app, timeout: 60_000 });
}

describe('warren generate job', { timeout: 90_000 }, () => {
  it('writes the job and its test like bin/rails generate job, and the test passes as generated', async () => {
    const generated = await runCli(['generate', 'job', 'guests_cleanup', '--queue', 'urgent'], {}, app);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('create src/jobs/guests-cleanup-job.ts');
    expect(generated.stdout).toContain('create test/jobs/guests-cleanup-job.test.ts');
    const job = readFileSync(join(app, 'src/jobs/guests-cleanup-job.ts'), 'utf8');
    expect(job).toContain("import { Job } from 'warren';");
    expect(job).toContain('export class GuestsCleanupJob extends Job');
    expect(job).toContain("this.queueAs('urgent');");

    const { stdout } = await nodeTest('test/jobs/guests-cleanup-job.test.ts');
    expect(stdout).toMatch(/# pass 1/);
    expect(stdout).toMatch(/# fail 0/);
  });

  it('--parent extends a job class of the app; existing files are not overwritten without --force', async () => {
    await runCli(['generate', 'job', 'PaymentJob'], {}, app);
    const child = await runCli(['generate', 'job', 'process_payment', '--parent', 'payment_job'], {}, app);
    expect(child.code).toBe(0);
    const job = readFileSync(join(app, 'src/jobs/process-payment-job.ts'), 'utf8');
    expect(job).toContain("import { PaymentJob } from './payment-job.js';");
    expect(job).toContain('export class ProcessPaymentJob extends PaymentJob');
    const { stdout } = await nodeTest('test/jobs/process-payment-job.test.ts');
    expect(stdout).toMatch(/# fail 0/);

    const again = await runCli(['generate', 'job', 'process_payment'], {}, app);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('src/jobs/process-payment-job.ts exists (--force overwrites it)');
    const missingParent = await runCli(['generate', 'job', 'refund', '--parent', 'NoSuchJob'], {}, app);
    expect(missingParent.code).toBe(2);
    expect(missingParent.stderr).toContain('--parent NoSuchJob');
  });
});
