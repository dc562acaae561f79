import { Command } from 'commander';
import type { Logger } from 'pino';
import { loadTopology, defaultTopology } from '../../topology/index.js';
import { Worker } from '../../worker/worker.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { addDelayFlags, delayLadder, type DelayFlags } from '../delay-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { loadRegistry } from '../load-registry.js';
import { collect, integer } from '../parsers.js';

interface WorkerFlags extends ConnectionFlags, DelayFlags {
  require?: string;
  queue?: string[];
  concurrency?: number;
  topology?: string[];
  shutdownTimeout?: number;
}

async function runWorker(flags: WorkerFlags, logger: Logger): Promise<number> {
  if (!flags.require) throw new UsageError('warren worker needs --require <module> (the module that exports your JobRegistry)');
  const registry = await loadRegistry(flags.require);
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  const worker = new Worker({
    ...connectionOptions(flags),
    registry,
    topology,
    queues: flags.queue ?? [],
    concurrency: flags.concurrency,
    shutdownTimeoutMs: flags.shutdownTimeout,
    delays: delayLadder(flags),
    ...(flags.deadLetterQueue ? { deadLetterQueue: flags.deadLetterQueue } : {}),
    logger,
    handleSignals: true,
  });
  const stopped = new Promise<void>((resolve) => worker.events.once('worker:stopped', () => resolve()));
  try {
    await worker.start();
  } catch (error) {
    logger.error({ err: error }, 'the worker could not start');
    return EXIT.failure;
  }
  logger.info({ queues: worker.queues, concurrency: worker.concurrency, jobs: registry.names() }, 'worker ready; SIGTERM or Ctrl-C stops it gracefully');
  await stopped;
  return EXIT.ok;
}

export function workerCommand(logger: Logger, setExit: (code: number) => void): Command {
  const command = new Command('worker')
    .description('perform jobs from RabbitMQ queues until SIGTERM/SIGINT (then finish in-flight jobs and stop)')
    .option('--require <module>', 'module exporting the JobRegistry (default export or `registry`); TypeScript works in a checkout')
    .option('--queue <name>', 'queue to consume; repeatable (default: every queue of the topology, or "default")', collect)
    .option('--concurrency <n>', 'jobs performed at once per queue, and the prefetch (default: 10)', integer('--concurrency', 1))
    .option('--topology <file>', 'topology file (YAML or JSON); repeatable', collect)
    .option('--shutdown-timeout <ms>', 'how long in-flight jobs may finish after SIGTERM (default: 30000)', integer('--shutdown-timeout', 0));
  addConnectionFlags(command);
  addDelayFlags(command);
  return command.action(async (flags: WorkerFlags) => {
    setExit(await runWorker(flags, logger));
  });
}
