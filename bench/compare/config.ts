// Settings of the comparison, all overridable from the environment. The defaults keep one
// full `npx tsx bench/compare.ts` under ~10 minutes on a 2-core machine.

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(raw)}`);
  return value;
}

function decimal(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(raw)}`);
  return value;
}

function integers(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must list positive integers, not ${JSON.stringify(raw)}`);
    return value;
  });
}

function names<T extends string>(name: string, allowed: readonly T[]): readonly T[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return allowed;
  return raw.split(',').map((part) => {
    const value = part.trim() as T;
    if (!allowed.includes(value)) throw new Error(`${name} must list some of ${allowed.join(', ')}, not ${JSON.stringify(raw)}`);
    return value;
  });
}

export const CONFIG = Object.freeze({
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: Object.freeze({ host: process.env.REDIS_HOST ?? '127.0.0.1', port: integer('REDIS_PORT', 6379) }),
  /** Jobs enqueued in batches, then drained (per system, per repetition, per worker count). */
  drainJobs: integer('BENCH_JOBS', 30_000),
  /** Jobs enqueued one by one, each call awaited before the next. */
  singleJobs: integer('BENCH_SINGLE_JOBS', 2_000),
  /** Jobs enqueued one by one with BENCH_BATCH of them in flight at all times. */
  inFlightJobs: integer('BENCH_INFLIGHT_JOBS', 20_000),
  /** performAllLater batch, addBulk batch, raw publish window. */
  batchSize: integer('BENCH_BATCH', 1_000),
  /** Prefetch (warren: concurrency) and BullMQ worker concurrency. */
  prefetch: integer('BENCH_PREFETCH', 100),
  repetitions: integer('BENCH_REPETITIONS', 3),
  /** Steady enqueue rate of the latency stage, jobs/s. */
  latencyRate: integer('BENCH_LATENCY_RATE', 2_000),
  /** Seconds measured at the steady rate, after the warm-up seconds (not measured). */
  latencySeconds: decimal('BENCH_LATENCY_SECONDS', 5),
  latencyWarmupSeconds: decimal('BENCH_LATENCY_WARMUP_SECONDS', 1),
  /** Worker process counts of the scale stage (1 is taken from the main stage). */
  scaleWorkers: integers('BENCH_SCALE', [1, 2, 4]),
  /** Queue counts of the scale table: the jobs shared by that many queues, each worker consuming all. */
  scaleQueues: integers('BENCH_SCALE_QUEUES', [1, 4]),
  /** Any single stage (one fill, one drain...) that takes longer fails its row. */
  stageTimeoutMs: integer('BENCH_STAGE_TIMEOUT_MS', 180_000),
  /** Diagnostic rows (warren with logging at warn, raw on a priority queue): 0 to skip. */
  diagnostics: integer('BENCH_DIAGNOSTICS', 1) === 1,
  /** Run bench/delays.ts (when it exists) for the delayed-job row: 0 to skip (~1.5 min). */
  delays: integer('BENCH_DELAYS', 1) === 1,
  /** Systems measured (while optimizing: `BENCH_SYSTEMS=warren,raw`). Default all. */
  systems: names('BENCH_SYSTEMS', ['warren', 'raw', 'bullmq'] as const),
  /** Stages run (while optimizing: `BENCH_STAGES=latency`). Default all. */
  stages: names('BENCH_STAGES', ['drain', 'single', 'latency', 'scale'] as const),
});

/** BullMQ key prefix: every key the benchmark writes in Redis starts with it. */
export const BULLMQ_PREFIX = 'warren-bench';
