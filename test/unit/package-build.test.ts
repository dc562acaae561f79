import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Inside the checkout, so the bundle's bare imports resolve from its node_modules; laid out as
// an installed package (package.json, schemas, bin, dist), so warren finds its own files there.
const pkg = join(root, `.package-test-${process.pid}`);
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

// Runs in a plain `node` (no tsx): what an application that installed warren gets.
const APPLICATION = `
import { configure, Job, JobRegistry, protobufCodec, jsonCodec } from './dist/index.js';
import { TestAdapter, assertEnqueued } from './dist/testing/index.js';
import { DELAY_HEADERS, planTopology } from './dist/rabbitmq.js';
if (typeof planTopology !== 'function' || typeof DELAY_HEADERS.dueAt !== 'string') throw new Error('warren/rabbitmq is incomplete');
class MailJob extends Job {
  static jobName = 'MailJob';
  perform(to) {}
}
const adapter = new TestAdapter({ registry: new JobRegistry().register(MailJob) });
configure({ adapter });
await MailJob.performLater('ada@example.com');
const [record] = assertEnqueued(adapter, { job: MailJob }, 1);
const envelope = protobufCodec.decode(protobufCodec.encode(record.envelope));
console.log(JSON.stringify({ arguments: envelope.arguments, json: jsonCodec.decode(jsonCodec.encode(envelope)).job_class }));
`;

describe('the published build (npm run build)', () => {
  beforeAll(() => {
    rmSync(pkg, { recursive: true, force: true });
    mkdirSync(pkg);
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { env: { ...process.env, WARREN_BUILD_OUTDIR: join(pkg, 'dist') }, stdio: 'pipe' });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(root, 'schemas'), join(pkg, 'schemas'), { recursive: true });
    cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'application.mjs'), APPLICATION);
  }, 120_000);

  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('has the entry points and type declarations that package.json exports (warren, warren/rabbitmq, warren/testing) and the CLI', () => {
    const exported = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> }).exports;
    expect(Object.keys(exported)).toEqual(['.', './rabbitmq', './testing']);
    const files = Object.values(exported).flatMap((entry) => [entry.types!, entry.import!]);
    for (const file of [...files, './dist/cli/main.js']) expect(existsSync(join(pkg, file)), file).toBe(true);
  });

  it('shares one Job class between warren and warren/testing, and finds the .proto it ships', () => {
    // warren/testing imports the shared chunk instead of carrying a second copy of the library.
    const testingEntry = readFileSync(join(pkg, 'dist', 'testing', 'index.js'), 'utf8');
    expect(testingEntry).toMatch(/from "\.\.\/chunks\//);
    expect(testingEntry).not.toMatch(/\bJob = class\b/);
    const chunks = join(pkg, 'dist', 'chunks');
    expect(readdirSync(chunks).some((file) => /\bJob = class\b/.test(readFileSync(join(chunks, file), 'utf8')))).toBe(true);
    const output = execFileSync(process.execPath, [join(pkg, 'application.mjs')], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, WARREN_LOG_LEVEL: 'silent' },
    });
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ arguments: ['ada@example.com'], json: 'MailJob' });
  });

  it('keeps class names, and its type declarations check in a strict application with skipLibCheck false', () => {
    const names = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/index.js'); console.log([m.RubySymbol.name, m.CalendarDate.name, m.ZonedTime.name, m.Decimal.name, m.Job.name].join())",
      ],
      {
        cwd: pkg,
        encoding: 'utf8',
        env: { ...process.env, WARREN_LOG_LEVEL: 'silent' },
      },
    );
    expect(names.trim()).toBe('RubySymbol,CalendarDate,ZonedTime,Decimal,Job');
    // The declarations use amqplib's types: those must come with warren, not be left to the app
    // (amqplib 2 ships its own; warren depends on it).
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toContain('amqplib');
    expect(JSON.parse(readFileSync(join(root, 'node_modules', 'amqplib', 'package.json'), 'utf8')).types).toBeTruthy();
    writeFileSync(
      join(pkg, 'app.ts'),
      [
        "import { AmqpAdapter, configure, Job, Worker, type WorkerOptions } from './dist/index.js';",
        "import { TestAdapter } from './dist/testing/index.js';",
        "export class ReportJob extends Job { static override jobName = 'ReportJob'; async perform(period: string): Promise<void> { void period; } }",
        'export const options: Partial<WorkerOptions> = { concurrency: 2 };',
        'export const made = [AmqpAdapter, configure, Worker, TestAdapter];',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(pkg, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => execFileSync(process.execPath, [tsc, '-p', pkg], { cwd: pkg, encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  it('runs the CLI from dist and reports the package version', () => {
    const output = execFileSync(process.execPath, [join(pkg, 'bin', 'warren.js'), '--version'], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, WARREN_CLI: 'dist' },
    });
    expect(output.trim()).toBe(version);
  });
});
