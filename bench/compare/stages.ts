// One measurement each: fill and drain, enqueue one by one, latency at a steady rate.
// Every stage uses its own queue and removes it afterwards, even when it fails.
import { collectBrokerGarbage, queueDepth, removeQueue, uniqueQueueName } from './broker.js';
import { CONFIG } from './config.js';
import { brokerCpuUs } from './broker-cpu.js';
import type { LatencySummary, PauseSummary, QueueKind, RawWire, WorkerResult } from './protocol.js';
import { produce, WorkerGroup, type SpawnOptions, type SystemScript } from './spawn.js';

/** A row of the table: which scripts, and how they are configured. */
export interface Variant {
  label: string;
  system: SystemScript;
  /** raw amqplib: what it puts on the wire (default: the plain floor). */
  wire?: RawWire;
  /** The queue kind (default classic: warren's default queue). */
  queueKind?: QueueKind;
  env?: Record<string, string>;
}

export interface DrainFigures {
  enqueuePerSecond: number;
  drainPerSecond: number;
  cpuUsPerJob: number;
  /** The kernel's part of cpuUsPerJob (system calls: socket reads and writes, log writes). */
  systemCpuUsPerJob: number;
  peakRssMb: number;
  /** CPU the broker's Erlang VM used during the drain, per job (undefined when it cannot be read: see broker-cpu.ts). */
  brokerCpuUsPerJob: number | undefined;
  brokerGc: boolean;
}

/**
 * A stage during which a connection dropped or deliveries came back (another session
 * restarting the broker or closing its connections, say) measured something else: it fails,
 * naming what happened, rather than adding a distorted sample.
 */
function rejectIncidents(variant: Variant, incidents: Record<string, number> | undefined): void {
  if (incidents) throw new Error(`${variant.label}: trouble during the stage, figures dropped: ${JSON.stringify(incidents)}`);
}

/** Sums incident counts; undefined when there are none. */
function mergeIncidents(...all: Record<string, number>[]): Record<string, number> | undefined {
  const merged: Record<string, number> = {};
  for (const incidents of all) for (const [name, count] of Object.entries(incidents)) merged[name] = (merged[name] ?? 0) + count;
  return Object.keys(merged).length ? merged : undefined;
}

function spawnOptions(variant: Variant, extra: SpawnOptions = {}): SpawnOptions {
  return { nodeArgs: extra.nodeArgs ?? [], env: { ...variant.env, ...extra.env } };
}

/**
 * Fill a queue with `jobs` jobs in batches (the bulk enqueue figure), start `workers`
 * worker processes and wait until they are connected, force a broker GC, then let them
 * drain it. Drain rate = jobs / (last completion - first perform start, across workers).
 * With `queues` > 1, as many queues share the jobs (filled by one producer process each, at
 * the same time; no enqueue figure then) and every worker consumes all of them.
 */
export async function fillAndDrain(
  variant: Variant,
  workers: number,
  jobs = CONFIG.drainJobs,
  options: { producer?: SpawnOptions; worker?: SpawnOptions; queues?: number } = {},
): Promise<DrainFigures> {
  const queues = Array.from({ length: options.queues ?? 1 }, () => uniqueQueueName(variant.system));
  const [queue] = queues as [string];
  const wire = variant.wire ?? 'plain';
  const queueKind = variant.queueKind ?? 'classic';
  let group: WorkerGroup | undefined;
  try {
    const fills = await Promise.all(
      queues.map((name, index) =>
        produce(
          variant.system,
          {
            queue: name,
            mode: 'bulk',
            count: Math.floor(jobs / queues.length) + (index < jobs % queues.length ? 1 : 0),
            batchSize: CONFIG.batchSize,
            rate: 0,
            seconds: 0,
            wire,
            queueKind,
          },
          spawnOptions(variant, options.producer),
        ),
      ),
    );
    const enqueued = fills.reduce((sum, fill) => sum + fill.enqueued, 0);
    group = new WorkerGroup(
      variant.system,
      { queue, queues, prefetch: CONFIG.prefetch, recordLatency: false, latencyWarmup: 0, wire, queueKind },
      workers,
      spawnOptions(variant, options.worker),
    );
    await group.ready();
    const brokerGc = await collectBrokerGarbage();
    const brokerCpuBefore = await brokerCpuUs();
    await group.go();
    const results = await group.finish(enqueued);
    const brokerCpuAfter = await brokerCpuUs();
    group = undefined;
    rejectIncidents(variant, mergeIncidents(...fills.map((fill) => fill.incidents), ...results.map((result) => result.incidents)));
    if (variant.system !== 'bullmq') {
      // More performs than confirmed enqueues (a duplicate or a redelivery) would end the drain early.
      for (const name of queues) {
        const left = await queueDepth(name);
        if (left !== 0) throw new Error(`${variant.label}: ${left} jobs left in queue ${name} after the drain`);
      }
    }
    const fill = fills[0]!;
    const figures = drainFigures(results);
    const brokerCpuUsPerJob =
      brokerCpuBefore === undefined || brokerCpuAfter === undefined ? undefined : (brokerCpuAfter - brokerCpuBefore) / figures.completed;
    return { enqueuePerSecond: fill.timedJobs / fill.seconds, ...figures, brokerCpuUsPerJob, brokerGc };
  } finally {
    group?.kill();
    for (const name of queues) await removeQueue(variant.system, name).catch(() => {});
  }
}

function drainFigures(
  results: WorkerResult[],
): Pick<DrainFigures, 'drainPerSecond' | 'cpuUsPerJob' | 'systemCpuUsPerJob' | 'peakRssMb'> & { completed: number } {
  const active = results.filter((result) => result.completed > 0);
  const completed = results.reduce((sum, result) => sum + result.completed, 0);
  const first = Math.min(...active.map((result) => result.firstNs));
  const last = Math.max(...active.map((result) => result.lastNs));
  const cpuUs = results.reduce((sum, result) => sum + result.cpuUserUs + result.cpuSystemUs, 0);
  return {
    drainPerSecond: completed / ((last - first) / 1e9),
    cpuUsPerJob: cpuUs / completed,
    systemCpuUsPerJob: results.reduce((sum, result) => sum + result.cpuSystemUs, 0) / completed,
    peakRssMb: Math.max(...results.map((result) => result.maxRssKb)) / 1024,
    completed,
  };
}

/**
 * Jobs enqueued one at a time (`performLater`, `add`, a publish and its confirm): each awaited
 * before the next (`single`), or `CONFIG.batchSize` of them in flight at all times (`inflight`): jobs/s.
 */
export async function enqueueOneByOne(variant: Variant, mode: 'single' | 'inflight' = 'single'): Promise<{ perSecond: number; cpuUsPerJob: number }> {
  const queue = uniqueQueueName(variant.system);
  const jobs = mode === 'single' ? CONFIG.singleJobs : CONFIG.inFlightJobs;
  try {
    const result = await produce(
      variant.system,
      {
        queue,
        mode,
        count: jobs,
        batchSize: mode === 'single' ? 1 : CONFIG.batchSize,
        rate: 0,
        seconds: 0,
        wire: variant.wire ?? 'plain',
        queueKind: variant.queueKind,
      },
      spawnOptions(variant),
    );
    return { perSecond: result.timedJobs / result.seconds, cpuUsPerJob: result.cpuUsPerJob };
  } finally {
    await removeQueue(variant.system, queue).catch(() => {});
  }
}

/**
 * A worker consuming an empty queue; a producer enqueues at a steady rate (each enqueue
 * started on schedule, not awaited); latency = perform start - enqueue call, on the
 * machine's monotonic clock. The first `latencyWarmupSeconds` are not counted.
 */
export interface LatencyStageResult {
  latency: LatencySummary;
  /** What paused each process after the warm-up (GC, event-loop delay). */
  workerPauses: PauseSummary | undefined;
  producerPauses: PauseSummary | undefined;
}

export async function latencyAtSteadyRate(variant: Variant): Promise<LatencyStageResult> {
  const queue = uniqueQueueName(variant.system);
  const wire = variant.wire ?? 'plain';
  const warmup = Math.round(CONFIG.latencyRate * CONFIG.latencyWarmupSeconds) + 1; // + the producer's warm-up job
  const group = new WorkerGroup(
    variant.system,
    { queue, prefetch: CONFIG.prefetch, recordLatency: true, latencyWarmup: warmup, wire, queueKind: variant.queueKind },
    1,
    spawnOptions(variant),
  );
  try {
    await group.ready();
    await group.go();
    const produced = await produce(
      variant.system,
      {
        queue,
        mode: 'steady',
        count: 0,
        batchSize: 1,
        rate: CONFIG.latencyRate,
        seconds: CONFIG.latencySeconds + CONFIG.latencyWarmupSeconds,
        wire,
        queueKind: variant.queueKind,
        pausesAfter: warmup - 1,
      },
      spawnOptions(variant),
    );
    const [result] = await group.finish(produced.enqueued);
    if (!result?.latency) throw new Error(`${variant.label}: the worker reported no latencies`);
    rejectIncidents(variant, mergeIncidents(produced.incidents, result.incidents));
    return { latency: result.latency, workerPauses: result.pauses, producerPauses: produced.pauses };
  } finally {
    group.kill();
    await removeQueue(variant.system, queue).catch(() => {});
  }
}
