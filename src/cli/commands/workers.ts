import { Command } from 'commander';
import type { Logger } from 'pino';
import type { WorkerHeartbeat } from '../../presence/heartbeat.js';
import { WorkerMonitor } from '../../presence/worker-monitor.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { EXIT } from '../exit-codes.js';
import { addSigningFlags, signingOptions, type SigningFlags } from '../signing-flags.js';
import { safe, workersText } from '../stats-text.js';

interface WorkersFlags extends ConnectionFlags, SigningFlags {
  json?: boolean;
  worker?: string;
}

async function withMonitor(flags: WorkersFlags, logger: Logger, work: (monitor: WorkerMonitor) => Promise<number>): Promise<number> {
  const signing = signingOptions(flags);
  const monitor = await WorkerMonitor.open({
    ...connectionOptions(flags),
    logger,
    connectionName: 'warren workers',
    ...(signing !== undefined && { signing }),
  });
  try {
    return await work(monitor);
  } finally {
    await monitor.close();
  }
}

function printWorkers(workers: readonly WorkerHeartbeat[], json: boolean | undefined): void {
  process.stdout.write(json ? `${JSON.stringify(workers)}\n` : `${workersText(workers).join('\n')}\n`);
}

/** The target of quiet and stop: a worker id as `warren workers list` shows it, or `all`. */
function targetOf(id: string, workers: readonly WorkerHeartbeat[]): string | undefined {
  if (id === 'all') return id;
  return workers.some((worker) => worker.id === id) ? id : undefined;
}

/**
 * Sends quiet or stop to one worker (or `all`), then shows the workers it reached as they now
 * report themselves. An id no live worker has is an error (exit 1): nothing is sent.
 */
async function steer(command: 'quiet' | 'stop', id: string, flags: WorkersFlags, logger: Logger): Promise<number> {
  return withMonitor(flags, logger, async (monitor) => {
    const target = targetOf(id, await monitor.workers({ refresh: true }));
    if (target === undefined) {
      process.stderr.write(`warren: no live worker has the id ${JSON.stringify(id)} (warren workers list shows them)\n`);
      return EXIT.failure;
    }
    await (command === 'quiet' ? monitor.quiet(target) : monitor.stop(target));
    process.stdout.write(`${command} sent to ${target === 'all' ? 'every worker' : target}\n`);
    const reached = (await monitor.workers({ refresh: true })).filter((worker) => target === 'all' || worker.id === target);
    printWorkers(reached, flags.json);
    return EXIT.ok;
  });
}

/** Cancels a running job: its signal aborts wherever it runs; the outcome shows in the workers' reports. */
async function cancel(jobId: string, flags: WorkersFlags, logger: Logger): Promise<number> {
  return withMonitor(flags, logger, async (monitor) => {
    const running = (await monitor.workers({ refresh: true })).filter((worker) => worker.running.some((job) => job.jobId === jobId));
    if (running.length === 0) {
      process.stderr.write(`warren: no live worker is running job ${JSON.stringify(jobId)}\n`);
      return EXIT.failure;
    }
    await monitor.cancel(jobId, flags.worker ?? 'all');
    const after = await monitor.workers({ refresh: true });
    const reports = after.flatMap((worker) =>
      worker.cancels
        .filter((report) => report.jobId === jobId)
        .slice(0, 1)
        .map((report) => ({ worker: worker.id, ...report })),
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
    else {
      process.stdout.write(`cancel of job ${safe(jobId)} sent\n`);
      for (const report of reports) {
        const outcome = report.outcome === 'running' ? 'still running (the job decides when to stop)' : report.outcome;
        process.stdout.write(`  ${safe(report.worker)}: ${safe(report.jobClass)} ${outcome}\n`);
      }
    }
    return EXIT.ok;
  });
}

/**
 * `warren workers list|quiet|stop|cancel`: the live workers (from their heartbeats) and the
 * control messages that steer them. With signing configured on the workers, pass the same
 * `--signing-key`: they obey only signed control messages.
 */
export function workersCommand(logger: Logger, setExit: (code: number) => void): Command {
  const workers = new Command('workers').description('list the live workers; quiet, stop them, or cancel a running job');
  const common = (command: Command): Command => {
    addConnectionFlags(command);
    addSigningFlags(command, 'producer');
    return command.option('--json', 'print JSON');
  };
  workers.addCommand(
    common(new Command('list').description('the live workers and the jobs they run')).action(async (flags: WorkersFlags) => {
      setExit(
        await withMonitor(flags, logger, async (monitor) => {
          printWorkers(await monitor.workers({ refresh: true }), flags.json);
          return EXIT.ok;
        }),
      );
    }),
  );
  workers.addCommand(
    common(
      new Command('quiet')
        .argument('<worker>', 'a worker id (from `warren workers list`) or `all`')
        .description('stop taking new jobs, finish the running ones'),
    ).action(async (id: string, flags: WorkersFlags) => setExit(await steer('quiet', id, flags, logger))),
  );
  workers.addCommand(
    common(new Command('stop').argument('<worker>', 'a worker id or `all`').description('stop gracefully, as SIGTERM does')).action(
      async (id: string, flags: WorkersFlags) => setExit(await steer('stop', id, flags, logger)),
    ),
  );
  workers.addCommand(
    common(new Command('cancel').argument('<job-id>', 'the id of a running job').description("abort a running job's signal (the job decides what that means)"))
      .option('--worker <id>', 'only on this worker (default: wherever it runs)')
      .action(async (jobId: string, flags: WorkersFlags) => setExit(await cancel(jobId, flags, logger))),
  );
  return workers;
}
