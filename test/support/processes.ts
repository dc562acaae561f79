import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FixtureReport } from '../fixtures/jobs.js';
import { repositoryRoot } from './paths.js';
import { waitFor } from './wait.js';

interface FixtureMessage {
  type: 'report' | 'ready' | 'stopped';
  report?: FixtureReport;
}

/** A child process running jobs from test/fixtures/jobs.ts; reports arrive over IPC. */
export class ChildWorker {
  readonly reports: FixtureReport[] = [];
  readonly stderr: string[] = [];
  readonly stdout: string[] = [];
  ready = false;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: FixtureMessage) => {
      if (message.type === 'report' && message.report) this.reports.push(message.report);
      if (message.type === 'ready') this.ready = true;
    });
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => this.stdout.push(chunk.toString()));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Waits until stderr shows `text` (the CLI logs readiness there). */
  async waitForStderr(text: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.stderr.join('').includes(text) || this.exit !== undefined, `"${text}" on stderr`, timeoutMs);
    if (!this.stderr.join('').includes(text)) throw new Error(`the process exited (${JSON.stringify(this.exit)}):\n${this.stderr.join('')}`);
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(() => this.ready || this.exit !== undefined, 'the worker process to be ready', timeoutMs);
    if (!this.ready) throw new Error(`the worker process exited (${JSON.stringify(this.exit)}):\n${this.stderr.join('')}`);
  }

  /** Sends the signal unless the process already exited. */
  kill(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(signal);
  }
}

const running = new Set<ChildWorker>();

function track(worker: ChildWorker): ChildWorker {
  running.add(worker);
  void worker.exited.then(() => running.delete(worker));
  return worker;
}

/** `node --import tsx test/fixtures/worker-process.ts`, configured through WARREN_FIXTURE_* variables. */
export function spawnFixtureWorker(env: Record<string, string>): ChildWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/worker-process.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, WARREN_FIXTURE_IPC: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return track(new ChildWorker(child));
}

/** `node bin/warren.js <args>` (in `cwd`, default the checkout), with IPC so fixture jobs can report. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}, cwd = repositoryRoot): ChildWorker {
  const child = spawn(process.execPath, [join(repositoryRoot, 'bin', 'warren.js'), ...args], {
    cwd,
    env: { ...process.env, WARREN_FIXTURE_IPC: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return track(new ChildWorker(child));
}

/** Kills every child process still running (afterEach/afterAll). */
export async function killAllChildren(): Promise<void> {
  const children = [...running];
  for (const worker of children) worker.kill('SIGKILL');
  await Promise.all(children.map((worker) => worker.exited));
}

/** Runs `warren <args>` to completion. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = repositoryRoot,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, env, cwd);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout.join(''), stderr: cli.stderr.join('') };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (killed after `timeoutMs`). */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repositoryRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** Runs a program that must succeed; returns its stdout, or throws with its stderr. */
export async function runOk(command: string, args: readonly string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
