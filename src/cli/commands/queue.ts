import { Command } from 'commander';
import type { Logger } from 'pino';
import { WorkerMonitor } from '../../presence/worker-monitor.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { EXIT } from '../exit-codes.js';
import { addSigningFlags, signingOptions, type SigningFlags } from '../signing-flags.js';
import { safe } from '../stats-text.js';

interface QueueFlags extends ConnectionFlags, SigningFlags {
  json?: boolean;
}

async function withMonitor(flags: QueueFlags, logger: Logger, work: (monitor: WorkerMonitor) => Promise<number>): Promise<number> {
  const signing = signingOptions(flags);
  const monitor = await WorkerMonitor.open({ ...connectionOptions(flags), logger, connectionName: 'warren queue', ...(signing !== undefined && { signing }) });
  try {
    return await work(monitor);
  } finally {
    await monitor.close();
  }
}

/** Prints which of `names` are paused, as text or JSON. */
async function printStatus(monitor: WorkerMonitor, names: readonly string[], json: boolean | undefined): Promise<void> {
  const paused = await monitor.paused(names);
  const rows = names.map((name) => ({ queue: name, paused: paused.has(name) }));
  process.stdout.write(json ? `${JSON.stringify(rows)}\n` : `${rows.map((row) => `${safe(row.queue)}  ${row.paused ? 'paused' : 'running'}`).join('\n')}\n`);
}

/**
 * `warren queue pause|resume|status NAME...`: every worker stops taking jobs from a queue (its
 * jobs wait there; running ones finish) and takes them again. The state is kept on the broker
 * (a marker queue, see src/amqp/queue-pauses.ts), so it survives worker and broker restarts.
 * Workers that require signed control messages need `--signing-key` here too, for the
 * immediate message; without it they still follow the marker within DEFAULTS.flow.pauseRefreshMs.
 */
export function queueCommand(logger: Logger, setExit: (code: number) => void): Command {
  const queue = new Command('queue').description('pause or resume a queue for every worker, or show whether it is paused');
  const common = (command: Command): Command => {
    addConnectionFlags(command);
    addSigningFlags(command, 'producer');
    return command.option('--json', 'print JSON');
  };
  for (const action of ['pause', 'resume'] as const) {
    queue.addCommand(
      common(
        new Command(action)
          .argument('<names...>', 'queue names')
          .description(
            action === 'pause' ? 'every worker stops taking jobs from these queues (running jobs finish)' : 'every worker takes jobs from these queues again',
          ),
      ).action(async (names: string[], flags: QueueFlags) =>
        setExit(
          await withMonitor(flags, logger, async (monitor) => {
            for (const name of names) await (action === 'pause' ? monitor.pause(name) : monitor.resume(name));
            await printStatus(monitor, names, flags.json);
            return EXIT.ok;
          }),
        ),
      ),
    );
  }
  queue.addCommand(
    common(new Command('status').argument('<names...>', 'queue names').description('whether each queue is paused')).action(
      async (names: string[], flags: QueueFlags) =>
        setExit(
          await withMonitor(flags, logger, async (monitor) => {
            await printStatus(monitor, names, flags.json);
            return EXIT.ok;
          }),
        ),
    ),
  );
  return queue;
}
