// The other languages' toolchains for the interop suite: Debian packages installed when
// missing (or a clear failure saying what to install), the Go producer built once per
// source version, Python protobuf classes generated once per .proto version.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { examplesDir, repositoryRoot } from '../paths.js';

/** Debian packages each producer needs (the lead's .ci/run installs the same list). */
export const INTEROP_PACKAGES = {
  python: ['python3-pika', 'python3-protobuf', 'protobuf-compiler'],
  go: ['golang-go', 'golang-github-rabbitmq-amqp091-go-dev'],
  ruby: ['ruby-bunny'],
  rails: ['ruby-activejob', 'ruby-bunny'],
} as const;

function installed(pkg: string): boolean {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

let aptUpdated = false;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Test files run in parallel processes: one apt-get at a time (dpkg takes a lock of its own). */
function withInstallLock<T>(fn: () => T): T {
  const lock = join(tmpdir(), 'warren-interop-apt.lock');
  const deadline = Date.now() + 900_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 1_200_000) rmSync(lock, { recursive: true, force: true }); // left by a killed run
      if (Date.now() > deadline) throw new Error(`waited 15 minutes for another apt-get (lock ${lock})`);
      sleepSync(1_000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Makes sure the Debian packages are installed, installing the missing ones with apt-get.
 * Throws an error naming the packages and the command to run when that is not possible
 * (no apt-get, not root, no network): the interop suite fails rather than skips.
 */
export function ensureDebianPackages(packages: readonly string[]): void {
  const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
  if (hasDpkg && packages.every(installed)) return;
  withInstallLock(() => install(packages, hasDpkg));
}

function install(packages: readonly string[], hasDpkg: boolean): void {
  const missing = hasDpkg ? packages.filter((pkg) => !installed(pkg)) : [...packages];
  if (missing.length === 0) return; // another test file installed them meanwhile
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  const canInstall = hasDpkg && spawnSync('apt-get', ['--version']).status === 0 && process.getuid?.() === 0;
  if (!canInstall) {
    throw new Error(`the interop tests need the Debian packages ${missing.join(', ')}; install them as root: ${command}`);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) execFileSync('apt-get', ['update', '-qq'], { stdio: 'pipe', env, timeout: 300_000 });
    aptUpdated = true;
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'pipe', env, timeout: 600_000 });
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).slice(-2000);
    throw new Error(`installing ${missing.join(', ')} failed (${command}):\n${output}`);
  }
  const still = missing.filter((pkg) => !installed(pkg));
  if (still.length > 0) throw new Error(`apt-get did not install ${still.join(', ')}; run: ${command}`);
}

function hashOf(...files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds examples/go offline (GOPATH mode against Debian's Go source tree) once per version
 * of its source; later runs reuse the binary from the temp dir.
 */
export function buildGoProducer(): string {
  ensureDebianPackages(INTEROP_PACKAGES.go);
  const source = join(examplesDir, 'go');
  const dir = join(tmpdir(), `warren-interop-go-${hashOf(join(source, 'main.go'))}`);
  const binary = join(dir, 'producer');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(tmpdir(), 'warren-interop-go-cache'), GOFLAGS: '' };
  const result = spawnSync('go', ['build', '-o', partial, '.'], { cwd: source, env, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`go build of examples/go failed:\n${result.stderr}`);
  renameSync(partial, binary);
  return binary;
}

/** Generates the Python classes for envelope.proto with protoc, once per version of the .proto. */
export function generatePythonProto(): string {
  ensureDebianPackages(INTEROP_PACKAGES.python);
  const schemas = join(repositoryRoot, 'schemas');
  const proto = join(schemas, 'warren', 'envelope', 'v1', 'envelope.proto');
  const dir = join(tmpdir(), `warren-interop-py-${hashOf(proto)}`);
  if (existsSync(join(dir, 'warren', 'envelope', 'v1', 'envelope_pb2.py'))) return dir;
  mkdirSync(dir, { recursive: true });
  const result = spawnSync('protoc', [`-I${schemas}`, `--python_out=${dir}`, proto], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`protoc failed:\n${result.stderr}`);
  return dir;
}
