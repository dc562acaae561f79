import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { UsageError } from './exit-codes.js';

/**
 * `warren generate job <Name>`: a job file and a test file, as `bin/rails generate job` writes
 * app/jobs/<name>_job.rb and test/jobs/<name>_job_test.rb. The job file is a Job subclass with
 * its jobName, its queue and an empty perform; the test (node:test, no test framework needed)
 * enqueues it through warren's TestAdapter and asserts it was enqueued on its queue, then
 * performs it: it passes as generated.
 */
export interface GenerateJobOptions {
  /** The class name with or without the `Job` suffix, in any case: `GuestsCleanup`, `guests_cleanup`, `guests-cleanup-job`. */
  name: string;
  /** The queue (Rails' `--queue`). Default: "default". */
  queue?: string;
  /** The parent class (Rails' `--parent`), imported from the jobs folder. Default: warren's Job. */
  parent?: string;
  /** Where the job goes. Default: src/jobs. */
  jobsDir?: string;
  /** Where its test goes. Default: test/jobs. */
  testsDir?: string;
  /** The module warren is imported from. Default: "warren" ("<it>/testing" for the test helpers). */
  warrenModule?: string;
  /** Overwrite files that exist. Default: false (refuse). */
  force?: boolean;
  /** The application's root, where the folders are resolved. Default: the working directory. */
  root?: string;
}

export interface GeneratedFiles {
  className: string;
  jobFile: string;
  testFile: string;
}

/** `guests_cleanup`, `GuestsCleanupJob`, `guests-cleanup` -> ["guests", "cleanup"]. */
function words(name: string): string[] {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.toLowerCase());
  if (parts.at(-1) === 'job') parts.pop();
  return parts;
}

function className(name: string): string {
  const parts = words(name);
  if (parts.length === 0 || !/^[a-z]/.test(parts[0]!)) {
    throw new UsageError(`warren generate job: "${name}" is not a usable class name (letters and digits, starting with a letter)`);
  }
  return `${parts.map((part) => part[0]!.toUpperCase() + part.slice(1)).join('')}Job`;
}

function fileName(name: string): string {
  return `${[...words(name), 'job'].join('-')}`;
}

/** An import path from `fromDir` to `toFile` (without extension), written with `.js` as ESM wants. */
function importPath(fromDir: string, toFile: string): string {
  const path = relative(fromDir, toFile).split(sep).join('/');
  return `${path.startsWith('.') ? '' : './'}${path}.js`;
}

function jobSource(name: string, queue: string, parent: string | undefined, warren: string): string {
  const base = parent ? className(parent) : 'Job';
  const imports = parent ? `import { ${base} } from './${fileName(parent)}.js';\n` : `import { Job } from '${warren}';\n`;
  return `${imports}
export class ${name} extends ${base} {
  // The name on the wire: it survives bundlers that rename classes.
  static override jobName = '${name}';
  static {
    this.queueAs('${queue}');
  }

  async perform(...args: unknown[]): Promise<void> {
    // Do something later
    void args;
  }
}
`;
}

function testSource(name: string, queue: string, jobImport: string, warren: string): string {
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configure, JobRegistry } from '${warren}';
import { assertEnqueued, performEnqueuedJobs, TestAdapter } from '${warren}/testing';
import { ${name} } from '${jobImport}';

test('${name} is enqueued on the ${queue} queue and performs', async () => {
  const adapter = new TestAdapter({ registry: new JobRegistry().register(${name}) });
  configure({ adapter });
  await ${name}.performLater();
  assertEnqueued(adapter, { job: ${name}, queue: '${queue}' }, 1);
  assert.equal(await performEnqueuedJobs(adapter), 1);
});
`;
}

export function generateJob(options: GenerateJobOptions): GeneratedFiles {
  const root = options.root ?? process.cwd();
  const name = className(options.name);
  const queue = options.queue ?? 'default';
  if (!/^[A-Za-z0-9_.:-]+$/.test(queue)) throw new UsageError(`warren generate job: --queue "${queue}" is not a queue name (letters, digits, _ . : -)`);
  const warren = options.warrenModule ?? 'warren';
  const jobsDir = join(root, options.jobsDir ?? join('src', 'jobs'));
  const testsDir = join(root, options.testsDir ?? join('test', 'jobs'));
  const jobFile = join(jobsDir, `${fileName(name)}.ts`);
  const testFile = join(testsDir, `${fileName(name)}.test.ts`);
  for (const file of [jobFile, testFile]) {
    if (existsSync(file) && !options.force) throw new UsageError(`warren generate job: ${relative(root, file)} exists (--force overwrites it)`);
  }
  if (options.parent && !existsSync(join(jobsDir, `${fileName(options.parent)}.ts`))) {
    throw new UsageError(
      `warren generate job: --parent ${options.parent}: no ${relative(root, join(jobsDir, `${fileName(options.parent)}.ts`))} to import ${className(options.parent)} from`,
    );
  }
  for (const file of [jobFile, testFile]) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(jobFile, jobSource(name, queue, options.parent, warren));
  writeFileSync(testFile, testSource(name, queue, importPath(testsDir, jobFile.replace(/\.ts$/, '')), warren));
  return { className: name, jobFile, testFile };
}
