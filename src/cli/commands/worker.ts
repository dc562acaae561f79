import { redactText } from '../../support/redact.js';
import { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULTS } from '../../config/defaults.js';
import { loadTopology, defaultTopology } from '../../topology/index.js';
import { loadSchedules } from '../../schedule/index.js';
import { Worker } from '../../worker/worker.js';
import type { MetricsServer } from '../../metrics/metrics-http.js';
import { WarrenMetrics } from '../../metrics/warren-metrics.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { addDelayFlags, delayLadder, type DelayFlags } from '../delay-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { loadRegistry } from '../load-registry.js';
import { collect, integer } from '../parsers.js';
import { addSigningFlags, signingOptions, type SigningFlags } from '../signing-flags.js';

interface WorkerFlags extends ConnectionFlags, DelayFlags, SigningFlags {
  require?: string;
  queue?: string[];
  concurrency?: number;
  topology?: string[];
  shutdownTimeout?: number;
  metricsPort?: number;
  metricsHost?: string;
  schedule?: string[];
  schedulerGroup?: string;
}

/**
 * `--metrics-port`: Prometheus metrics of this worker on GET /metrics while it runs (src/metrics/),
 * served before the worker connects, so a scrape also sees a worker that cannot reach the broker.
 * Undefined when the port is taken (said in the log).
 */
async function serveWorkerMetrics(worker: Worker, port: number, host: string, logger: Logger): Promise<MetricsServer | undefined> {
  const metrics = new WarrenMetrics(); // a ConfigurationError (exit 2) without prom-client installed
  metrics.observeWorker(worker);
  try {
    const server = await metrics.serve({ port, host });
    logger.info({ url: server.url }, `serving Prometheus metrics at ${server.url}`);
    return server;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error(`cannot serve metrics on ${host}:${port}: ${message}`);
    return undefined;
  }
}

async function runWorker(flags: WorkerFlags, logger: Logger): Promise<number> {
  if (!flags.require) throw new UsageError('warren worker needs --require <module> (the module that exports your JobRegistry)');
  if (flags.metricsHost !== undefined && flags.metricsPort === undefined) throw new UsageError('--metrics-host needs --metrics-port <port>');
  const registry = await loadRegistry(flags.require);
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  const schedules = flags.schedule?.length ? await loadSchedules(flags.schedule) : undefined;
  const signing = signingOptions(flags);
  const worker = new Worker({
    ...connectionOptions(flags),
    registry,
    topology,
    queues: flags.queue ?? [],
    concurrency: flags.concurrency,
    shutdownTimeoutMs: flags.shutdownTimeout,
    delays: delayLadder(flags),
    ...(flags.deadLetterQueue ? { deadLetterQueue: flags.deadLetterQueue } : {}),
    ...(signing && { signing }),
    ...(schedules && { schedules }),
    ...(flags.schedulerGroup && { schedulerGroup: flags.schedulerGroup }),
    logger,
    handleSignals: true,
  });
  const stopped = new Promise<void>((resolve) => worker.events.once('worker:stopped', () => resolve()));
  let metrics: MetricsServer | undefined;
  if (flags.metricsPort !== undefined) {
    metrics = await serveWorkerMetrics(worker, flags.metricsPort, flags.metricsHost ?? DEFAULTS.metrics.host, logger);
    if (!metrics) return EXIT.failure;
  }
  try {
    return await startAndWait(worker, stopped, registry.names(), logger);
  } finally {
    await metrics?.close();
  }
}

/** Starts the worker and waits until it stopped: the exit code. */
async function startAndWait(worker: Worker, stopped: Promise<void>, jobs: string[], logger: Logger): Promise<number> {
  // On the event, not after start(): a SIGTERM while still connecting ends start() without the worker ever being ready.
  worker.events.once('worker:ready', () =>
    logger.info({ queues: worker.queues, concurrency: worker.concurrency, jobs }, 'worker ready; SIGTERM or Ctrl-C stops it gracefully'),
  );
  try {
    await worker.start();
  } catch (error) {
    // One line in words; the stack only at debug.
    const message = redactText(error instanceof Error ? error.message : String(error));
    logger.error(logger.isLevelEnabled('debug') ? { err: error } : {}, `the worker could not start: ${message}`);
    return EXIT.failure;
  }
  await stopped;
  return EXIT.ok;
}

export function workerCommand(logger: Logger, setExit: (code: number) => void): Command {
  const command = new Command('worker')
    .description('perform jobs from RabbitMQ queues until SIGTERM/SIGINT (then finish in-flight jobs and stop)')
    .option('--require <module>', 'module exporting the JobRegistry (default export or `registry`); TypeScript works in a checkout')
    .option('--queue <name>', `queue to consume; repeatable (default: every job queue of the topology, or "${DEFAULTS.queueName}")`, collect)
    .option('--concurrency <n>', `jobs performed at once per queue, and the prefetch (default: ${DEFAULTS.amqp.concurrency})`, integer('--concurrency', 1))
    .option('--topology <file>', 'topology file (YAML or JSON); repeatable', collect)
    .option('--schedule <file>', 'schedule file or directory (recurring jobs, `schedules:`); repeatable; one worker of the group leads them', collect)
    .option('--scheduler-group <name>', `workers sharing one scheduler leader (default: ${DEFAULTS.schedule.group})`)
    .option(
      '--shutdown-timeout <ms>',
      `how long in-flight jobs may finish after SIGTERM (default: ${DEFAULTS.amqp.shutdownTimeoutMs})`,
      integer('--shutdown-timeout', 0),
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on GET /metrics at this port while the worker runs (needs prom-client installed; 0: any free port)',
      integer('--metrics-port', 0),
    )
    .option('--metrics-host <host>', `address the metrics server binds (default: ${DEFAULTS.metrics.host}); metrics carry no secrets`);
  addConnectionFlags(command);
  addDelayFlags(command);
  addSigningFlags(command, 'worker');
  return command.action(async (flags: WorkerFlags) => {
    setExit(await runWorker(flags, logger));
  });
}
