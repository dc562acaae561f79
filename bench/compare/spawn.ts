// The parent side: spawns a producer or worker process with a spec (`node
// bench/.build/<id>/bench/compare/<script>.js`, see build.ts; or `node --import tsx
// bench/compare/<script>.ts` with BENCH_RUNNER=tsx) and waits for its messages with a timeout. stdout goes to /dev/null (warren's default
// logger writes there, as it would to a log file); the tail of stderr is kept for errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG } from './config.js';
import type { ChildMessage, ParentMessage, ProducerResult, ProducerSpec, WorkerResult, WorkerSpec } from './protocol.js';

export type SystemScript = 'warren' | 'raw' | 'bullmq';

/** How children run: compiled JavaScript from a build directory, or TypeScript through tsx. */
let buildDir: string | undefined;

export function runChildrenFrom(dir: string | undefined): void {
  buildDir = dir;
}

function command(script: string): string[] {
  if (buildDir) return [join(buildDir, 'bench', 'compare', `${script}.js`)];
  return ['--import', 'tsx', fileURLToPath(new URL(`./${script}.ts`, import.meta.url))];
}

/** Set by traceChildren: node flags for every child, and where each child's stdout goes. */
let tracing: { nodeArgs: string[]; dir: string } | undefined;
let traced = 0;

/**
 * Every child from now on runs with `nodeArgs` (`--trace-gc-nvp`...) and writes its stdout,
 * where V8's traces go (with warren's log lines), to `<dir>/<script>-<n>.log` (bench/gc-trace.ts).
 */
export function traceChildren(nodeArgs: string[], dir: string): void {
  tracing = { nodeArgs, dir };
}

export interface SpawnOptions {
  /** Extra node flags (--cpu-prof...). */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

export class Child {
  private readonly process: ChildProcess;
  private readonly inbox: ChildMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  private exitCode: number | null | undefined;
  /** Latest progress report of a worker. */
  progress = { completed: 0, lastNs: 0 };

  constructor(
    readonly name: string,
    script: string,
    spec: ProducerSpec | WorkerSpec,
    options: SpawnOptions = {},
  ) {
    const out = tracing ? openSync(join(tracing.dir, `${script}-${++traced}.log`), 'w') : 'ignore';
    this.process = spawn(process.execPath, [...(tracing?.nodeArgs ?? []), ...(options.nodeArgs ?? []), ...command(script)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', out, 'pipe', 'ipc'],
      env: { ...process.env, ...options.env, BENCH_SPEC: JSON.stringify(spec) },
    });
    if (typeof out === 'number') closeSync(out);
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4_000);
    });
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') this.progress = { completed: message.completed, lastNs: message.lastNs };
      else this.inbox.push(message);
      this.wake();
    });
    this.process.on('exit', (code) => {
      this.exitCode = code;
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  send(message: ParentMessage): void {
    if (this.process.connected) this.process.send(message);
  }

  /** The next message of this type; rejects when the child failed, exited or took too long. */
  async waitFor<T extends ChildMessage['type']>(type: T, timeoutMs = CONFIG.stageTimeoutMs): Promise<Extract<ChildMessage, { type: T }>> {
    return this.until(
      () => {
        const index = this.inbox.findIndex((message) => message.type === type || message.type === 'failed');
        if (index === -1) return undefined;
        const [message] = this.inbox.splice(index, 1);
        if (message!.type === 'failed') throw new Error(`${this.name} failed: ${message!.message}`);
        return message as Extract<ChildMessage, { type: T }>;
      },
      `${type} from ${this.name}`,
      timeoutMs,
    );
  }

  /** Resolves once `check` returns a value; rejects if it throws, on exit, or on timeout. */
  until<T>(check: () => T | undefined, what: string, timeoutMs = CONFIG.stageTimeoutMs): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${this.stderrTail()}`))), timeoutMs);
      // Also polled on a timer: `check` may depend on other children's messages.
      const ticker = setInterval(() => poll(), 20);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        clearInterval(ticker);
        this.waiters.delete(poll);
        settle();
      };
      const poll = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish(() => reject(error));
          return;
        }
        if (value !== undefined) finish(() => resolve(value as T));
        else if (this.exitCode !== undefined) finish(() => reject(new Error(`${this.name} exited (${this.exitCode}) before ${what}${this.stderrTail()}`)));
      };
      this.waiters.add(poll);
      poll();
    });
  }

  private stderrTail(): string {
    return this.stderr.trim() ? `\n--- stderr of ${this.name} ---\n${this.stderr.trim()}` : '';
  }

  /** Resolves when the process has exited (killing it after `timeoutMs`). */
  async exited(timeoutMs = 30_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.process.kill('SIGKILL');
      }, timeoutMs);
      this.process.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  kill(): void {
    if (this.exitCode === undefined) this.process.kill('SIGKILL');
  }
}

/** Runs a producer to the end and returns its figures. */
export async function produce(system: SystemScript, spec: ProducerSpec, options: SpawnOptions = {}): Promise<ProducerResult> {
  const child = new Child(`${system} producer (${spec.mode})`, `${system}-producer`, spec, options);
  try {
    const { result } = await child.waitFor('producer-result');
    if (result.failures > 0) throw new Error(`${system} producer: ${result.failures} enqueues failed`);
    await child.exited();
    return result;
  } finally {
    child.kill();
  }
}

/** Worker processes, started together: spawn, wait until all are connected, then `go`. */
export class WorkerGroup {
  readonly children: Child[];

  constructor(system: SystemScript, spec: WorkerSpec, count: number, options: SpawnOptions = {}) {
    this.children = Array.from({ length: count }, (_, i) => new Child(`${system} worker ${i + 1}/${count}`, `${system}-worker`, spec, options));
  }

  async ready(): Promise<void> {
    await Promise.all(this.children.map((child) => child.waitFor('ready')));
  }

  async go(): Promise<void> {
    for (const child of this.children) child.send({ type: 'go' });
    await Promise.all(this.children.map((child) => child.waitFor('consuming')));
  }

  /** Waits until the workers together completed `total` jobs, then stops them and returns their figures. */
  async finish(total: number, timeoutMs = CONFIG.stageTimeoutMs): Promise<WorkerResult[]> {
    const first = this.children[0]!;
    await first.until(
      () => (this.children.reduce((sum, child) => sum + child.progress.completed, 0) >= total ? true : undefined),
      `${total} completed jobs`,
      timeoutMs,
    );
    return this.stop();
  }

  async stop(): Promise<WorkerResult[]> {
    for (const child of this.children) child.send({ type: 'stop' });
    const results = await Promise.all(this.children.map(async (child) => (await child.waitFor('worker-result')).result));
    await Promise.all(this.children.map((child) => child.exited()));
    return results;
  }

  kill(): void {
    for (const child of this.children) child.kill();
  }
}
