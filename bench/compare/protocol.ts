// Messages between bench/compare.ts and the producer/worker processes it spawns (Node IPC).

export type ProducerMode = 'single' | 'inflight' | 'bulk' | 'steady';

/**
 * What the raw amqplib rows put on the wire. plain: the floor (default exchange, the bare
 * payload). warren: everything warren sends (an Active Job envelope as body, the `warren`
 * direct exchange, mandatory, its properties and headers), published and consumed by raw
 * amqplib: what the broker's share costs, apart from warren's client code.
 */
export type RawWire = 'plain' | 'warren';

/**
 * The kind of queue a row uses, the same for every system that runs on RabbitMQ.
 * classic: warren's default for a queue no topology file lists (classic, x-queue-version 2,
 * no priorities). priority: the same with x-max-priority 10 (a topology file's `maxPriority:
 * 10`; messages carry priority 5, a job without a priority). quorum: a quorum queue.
 */
export type QueueKind = 'classic' | 'priority' | 'quorum';

/** What a child is asked to do; passed as JSON in the BENCH_SPEC environment variable. */
export interface ProducerSpec {
  queue: string;
  mode: ProducerMode;
  /** single/inflight/bulk: jobs to enqueue (after one untimed warm-up job); inflight keeps batchSize in flight. */
  count: number;
  batchSize: number;
  /** steady: jobs per second and seconds to keep it up. */
  rate: number;
  seconds: number;
  /** raw amqplib only; see RawWire. */
  wire?: RawWire;
  queueKind?: QueueKind;
  /** steady: measure pauses (PauseSummary) after this many jobs were sent; absent: not measured. */
  pausesAfter?: number;
}

export interface WorkerSpec {
  queue: string;
  prefetch: number;
  /** Latency stage: record enqueue-to-perform latency, ignoring the first `latencyWarmup` jobs. */
  recordLatency: boolean;
  latencyWarmup: number;
  wire?: RawWire;
  queueKind?: QueueKind;
  /** Every queue the worker consumes (the scale stage with several queues); default [queue]. */
  queues?: string[];
}

export interface ProducerResult {
  /** Jobs enqueued in total, warm-up included (what a worker will receive). */
  enqueued: number;
  /** Jobs enqueued in the timed part, how long it took, and the producer's CPU (user + system) per job in it. */
  timedJobs: number;
  seconds: number;
  cpuUsPerJob: number;
  /** Monotonic ns at the start and end of the timed part. */
  startNs: number;
  endNs: number;
  failures: number;
  /** Events that point at trouble (a dropped connection...), by name; empty when none. */
  incidents: Record<string, number>;
  /** steady mode with pausesAfter: what paused the producer after its warm-up. */
  pauses?: PauseSummary | undefined;
}

/** Pauses of one process over a window (bench/compare/pauses.ts). */
export interface PauseSummary {
  seconds: number;
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** GC pauses longer than 2 ms. */
  gcLongPauses: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WorkerResult {
  completed: number;
  /** Monotonic ns of the first perform start and of the last completion (0 if none). */
  firstNs: number;
  lastNs: number;
  /** CPU of this process from the first perform start to the stop request. */
  cpuUserUs: number;
  cpuSystemUs: number;
  maxRssKb: number;
  latency: LatencySummary | undefined;
  /** Latency stage: what paused the worker after the warm-up. */
  pauses?: PauseSummary | undefined;
  /** Events that point at trouble (redeliveries, dead letters, a dropped connection...), by name. */
  incidents: Record<string, number>;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'consuming' }
  | { type: 'progress'; completed: number; lastNs: number }
  | { type: 'producer-result'; result: ProducerResult }
  | { type: 'worker-result'; result: WorkerResult }
  | { type: 'failed'; message: string };

export type ParentMessage = { type: 'go' } | { type: 'stop' };
