// The child side of the IPC protocol: reading the spec, talking to the parent, and the
// worker's meter (first perform, completions, CPU, peak RSS, latencies).
import type { BenchPayload } from './payload.js';
import { nowNs, nowUs } from './payload.js';
import { PauseMeter } from './pauses.js';
import type { ChildMessage, LatencySummary, ParentMessage, WorkerResult, WorkerSpec } from './protocol.js';

export function readSpec<T>(): T {
  const raw = process.env.BENCH_SPEC;
  if (!raw) throw new Error('BENCH_SPEC is not set: this script is spawned by bench/compare.ts');
  return JSON.parse(raw) as T;
}

/** Sends a message to the parent; resolves once it is handed to the IPC channel. */
export function tell(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

/** Resolves when the parent sends a message of this type. */
export function whenParentSays(type: ParentMessage['type']): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });
}

/** Runs a child's body; any failure is reported to the parent and ends the process. */
export function runChild(body: () => Promise<void>): void {
  body().then(
    () => {
      process.disconnect?.();
      process.exit(0);
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      void tell({ type: 'failed', message }).finally(() => process.exit(1));
    },
  );
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Counts what a worker does. `performStarted` is called first thing in perform,
 * `completed` once the job is acked (or, for BullMQ, marked completed).
 */
export class WorkerMeter {
  /** Counts of events that point at trouble; see WorkerResult.incidents. */
  readonly incidents: Record<string, number> = {};
  private completedCount = 0;
  private started = 0;
  private firstNs = 0;
  private lastNs = 0;
  private cpuAtFirst: NodeJS.CpuUsage | undefined;
  private readonly latencies: number[] = [];
  private readonly pauses = new PauseMeter();
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(private readonly spec: WorkerSpec) {}

  performStarted(payload: BenchPayload): void {
    if (this.started === 0) {
      this.firstNs = nowNs();
      this.cpuAtFirst = process.cpuUsage();
      this.progressTimer = setInterval(() => void tell({ type: 'progress', completed: this.completedCount, lastNs: this.lastNs }), 50);
    }
    this.started += 1;
    if (this.spec.recordLatency && this.started > this.spec.latencyWarmup) {
      this.latencies.push((nowUs() - payload.sent_us) / 1_000);
      this.pauses.start(); // once, at the first counted job
    }
  }

  incident(name: string): void {
    this.incidents[name] = (this.incidents[name] ?? 0) + 1;
  }

  completed(): void {
    this.completedCount += 1;
    this.lastNs = nowNs();
  }

  /** Figures at the stop request; CPU counts from the first perform start. */
  result(): WorkerResult {
    if (this.progressTimer) clearInterval(this.progressTimer);
    const cpu = process.cpuUsage(this.cpuAtFirst);
    return {
      completed: this.completedCount,
      firstNs: this.firstNs,
      lastNs: this.lastNs,
      cpuUserUs: this.cpuAtFirst ? cpu.user : 0,
      cpuSystemUs: this.cpuAtFirst ? cpu.system : 0,
      maxRssKb: process.resourceUsage().maxRSS,
      latency: this.spec.recordLatency ? this.latencySummary() : undefined,
      pauses: this.pauses.stop(),
      incidents: this.incidents,
    };
  }

  private latencySummary(): LatencySummary {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      samples: sorted.length,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    };
  }
}

/**
 * The life of every worker process: `connect` (loaded, connected, not consuming) ->
 * "ready" -> parent says go -> `consume` -> "consuming" -> parent says stop -> figures ->
 * `close`.
 */
export function runWorker(build: (meter: WorkerMeter, spec: WorkerSpec) => Promise<{ consume: () => Promise<void>; close: () => Promise<void> }>): void {
  runChild(async () => {
    const spec = readSpec<WorkerSpec>();
    const meter = new WorkerMeter(spec);
    const stopped = whenParentSays('stop');
    const go = whenParentSays('go');
    const worker = await build(meter, spec);
    await tell({ type: 'ready' });
    await go;
    await worker.consume();
    await tell({ type: 'consuming' });
    await stopped;
    await tell({ type: 'worker-result', result: meter.result() });
    await worker.close();
  });
}
