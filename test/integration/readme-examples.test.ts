// Every TypeScript snippet of README.md and of docs/**/*.md is a region of a file in
// examples/readme/, which this test compiles as an application would and runs (see
// examples/readme/README.md).
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BrokerProbe } from '../support/broker-probe.js';
import { killAllChildren, spawnCli } from '../support/processes.js';
import { repositoryRoot } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

const run = promisify(execFile);
const examples = join(repositoryRoot, 'examples', 'readme');
const tsconfig = join(examples, 'tsconfig.json');
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

function exampleFiles(directory = examples): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return exampleFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function markdownFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) return markdownFiles(path);
      return name.endsWith('.md') ? [path] : [];
    });
}

/** README.md and every .md file under docs/ (recursively), as paths relative to the repository. */
function documentationFiles(): string[] {
  return ['README.md', ...markdownFiles(join(repositoryRoot, 'docs')).map((path) => relative(repositoryRoot, path))];
}

/** Every ```ts block of the documentation, with the .md file it is in. */
function documentationSnippets(): { doc: string; snippet: string }[] {
  return documentationFiles().flatMap((doc) => {
    const text = readFileSync(join(repositoryRoot, doc), 'utf8');
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => ({ doc, snippet: match[1]! }));
  });
}

function regionsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\/\/ README:begin\n([\s\S]*?)^\/\/ README:end$/gm)].map((match) => match[1]!);
}

/** Runs an example with tsx and the examples' tsconfig; resolves with its output, rejects on a non-zero exit. */
async function runExample(file: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(tsx, ['--tsconfig', tsconfig, join(examples, file)], {
    cwd: repositoryRoot,
    env: { ...process.env, WARREN_LOG_LEVEL: 'warn', WARREN_LOG_FORMAT: 'json', ...env },
    timeout: 60_000,
  });
  return stdout;
}

function rabbitmqctl(...args: string[]): void {
  const result = spawnSync('rabbitmqctl', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `rabbitmqctl ${args.join(' ')} failed (${result.error?.message ?? result.stderr}): the README examples that use the broker run in a ` +
        'virtual host of their own, created with rabbitmqctl on the machine of the broker at AMQP_URL',
    );
  }
}

describe('the README examples', { timeout: 180_000 }, () => {
  it('every TypeScript snippet of README.md and docs/ is a region of a file in examples/readme, and every region is in one of them', () => {
    const docs = documentationFiles();
    const snippets = documentationSnippets();
    const regions = exampleFiles().flatMap((file) => regionsOf(file).map((region) => ({ file: relative(repositoryRoot, file), region })));
    // The whole documentation, not one page, shows the examples: README.md keeps a few, docs/ the rest.
    expect(docs.length, `documentation files: ${docs.join(', ')}`).toBeGreaterThan(1);
    expect(snippets.filter(({ doc }) => doc === 'README.md').length, 'README.md shows no TypeScript snippet').toBeGreaterThan(0);
    expect(snippets.length).toBeGreaterThan(15);
    expect(regions.length).toBeGreaterThan(15);
    for (const { doc, snippet } of snippets) {
      expect(
        regions.some(({ region }) => region === snippet),
        `${doc}: a snippet without its example file in examples/readme:\n${snippet}`,
      ).toBe(true);
    }
    for (const { file, region } of regions) {
      const shownIn = snippets.filter(({ snippet }) => snippet === region).map(({ doc }) => doc);
      expect(shownIn.length, `${file} has a region that neither README.md nor any docs/ page shows (${docs.join(', ')}):\n${region}`).toBeGreaterThan(0);
    }
  });

  it('compiles as an application would (strict, exactOptionalPropertyTypes)', async () => {
    const tsc = join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', tsconfig], { cwd: repositoryRoot }).catch((error: { stdout?: string }) => ({
      stdout: error.stdout ?? String(error),
      failed: true,
    }));
    expect('failed' in result ? result.stdout : '').toBe('');
  });

  it('runs the in-process examples as shown', async () => {
    expect(await runExample('overview.ts')).toContain('ada@example.com: Welcome! (es)');
    expect(await runExample('jobs-and-queues.ts')).toContain('production_default');
    expect(await runExample('callbacks.ts')).toContain('callbacks ok');
    expect(await runExample('errors.ts')).toContain('ChargeCardJob declared');
    expect(await runExample('records.ts')).toContain('records ok');
    expect(await runExample('testing.ts')).toContain('testing ok');
    expect(await runExample('signing.ts', { WARREN_SIGNING_KEY: randomUUID() })).toContain('signing ok');
    expect(await runExample('logging-pretty.ts', { WARREN_LOG_LEVEL: 'info' })).toContain('logging ok');
    expect(await runExample('logging-sync.ts')).toContain('logging ok');
    expect(await runExample('flow-control.ts')).toContain('flow control ok');
    expect(await runExample('unique-jobs.ts')).toContain('unique jobs ok');
  });

  describe('against the broker, in a virtual host of their own', () => {
    const vhost = `warren-readme-${randomUUID().slice(0, 8)}`;
    const base = new URL(inject('amqpUrl'));
    base.pathname = `/${encodeURIComponent(vhost)}`;
    const url = base.toString();

    beforeAll(() => {
      rabbitmqctl('add_vhost', vhost);
      rabbitmqctl('set_permissions', '-p', vhost, decodeURIComponent(base.username || 'guest'), '.*', '.*', '.*');
    });

    afterAll(async () => {
      await killAllChildren();
      rabbitmqctl('delete_vhost', vhost);
    });

    it('quick start: enqueue.ts enqueues and exits; `warren worker --require jobs.ts` without --queue performs the job', async () => {
      const stdout = await runExample('quick-start/enqueue.ts', { AMQP_URL: url });
      expect(stdout).toMatch(/^[0-9a-f-]{36} true\n$/);
      const probe = await BrokerProbe.open(url);
      try {
        expect(await probe.messageCount('images')).toBe(1);
      } finally {
        await probe.close();
      }
      const worker = spawnCli(['worker', '--require', 'examples/readme/quick-start/jobs.ts'], {
        AMQP_URL: url,
        TSX_TSCONFIG_PATH: tsconfig,
        WARREN_LOG_LEVEL: 'info',
        WARREN_LOG_FORMAT: 'json',
      });
      await waitFor(() => /"job_class":"ResizeImageJob".*"msg":"performed"/.test(worker.stderr.join('')), 'the quick-start worker to perform the job', 60_000);
      worker.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    });

    it('named handlers, Worker and dead letters run as shown', async () => {
      const env = { AMQP_URL: url };
      expect(await runExample('handlers.ts', env)).toContain('handlers ok');
      expect(await runExample('worker.ts', env)).toContain('worker ok');
      expect(await runExample('dead-letters.ts', env)).toContain('dead letters ok');
      expect(await runExample('tracing.ts', env)).toContain('tracing ok');
      expect(await runExample('operate.ts', env)).toContain('operate ok');
      expect(await runExample('long-jobs.ts', env)).toContain('long jobs ok');
      expect(await runExample('recurring-jobs.ts', env)).toContain('recurring jobs ok');
    });
  });
});
