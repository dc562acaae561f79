import { redactText } from '../../support/redact.js';
import { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULTS } from '../../config/defaults.js';
import { loadTopology, defaultTopology } from '../../topology/index.js';
import { Worker } from '../../worker/worker.js';
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
}

async function runWorker(flags: WorkerFlags, logger: Logger): Promise<number> {
  if (!flags.require) throw new UsageError('warren worker needs --require <module> (the module that exports your JobRegistry)');
  const registry = await loadRegistry(flags.require);
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
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
    logger,
    handleSignals: true,
  });
  const stopped = new Promise<void>((resolve) => worker.events.once('worker:stopped', () => resolve()));
  // On the event, not after start(): a SIGTERM while still connecting ends start() without the worker ever being ready.
  worker.events.once('worker:ready', () =>
    logger.info({ queues: worker.queues, concurrency: worker.concurrency, jobs: registry.names() }, 'worker ready; SIGTERM or Ctrl-C stops it gracefully'),
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
    .option(
      '--shutdown-timeout <ms>',
      `how long in-flight jobs may finish after SIGTERM (default: ${DEFAULTS.amqp.shutdownTimeoutMs})`,
      integer('--shutdown-timeout', 0),
    );
  addConnectionFlags(command);
  addDelayFlags(command);
  addSigningFlags(command, 'worker');
  return command.action(async (flags: WorkerFlags) => {
    setExit(await runWorker(flags, logger));
  });
}
