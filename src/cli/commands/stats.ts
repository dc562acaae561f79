import { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULTS } from '../../config/defaults.js';
import { redactText } from '../../support/redact.js';
import { StatsReader } from '../../stats/stats-reader.js';
import { defaultTopology, loadTopology } from '../../topology/index.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { addDelayFlags, type DelayFlags } from '../delay-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { collect, integer } from '../parsers.js';
import { statsText } from '../stats-text.js';

interface StatsFlags extends ConnectionFlags, DelayFlags {
  json?: boolean;
  watch?: boolean | number;
  queue?: string[];
  topology?: string[];
}

/** Resolves at the first SIGINT or SIGTERM, and stops listening. */
function interrupted(): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const stop = (): void => {
      cancel();
      resolve();
    };
    cancel = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { promise, cancel };
}

async function runStats(flags: StatsFlags, logger: Logger): Promise<number> {
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  const deadLetterQueue = flags.deadLetterQueue ?? DEFAULTS.amqp.deadLetterQueue;
  const reader = await StatsReader.open({
    ...connectionOptions(flags),
    logger,
    topology,
    deadLetterQueue,
    ...(flags.delayPrefix ? { delay: { prefix: flags.delayPrefix } } : {}),
    ...(flags.queue?.length ? { queues: flags.queue } : {}),
  });
  const watchSeconds = flags.watch === undefined || flags.watch === false ? undefined : flags.watch === true ? DEFAULTS.stats.watchSeconds : flags.watch;
  const stop = interrupted();
  let stopped = false;
  void stop.promise.then(() => (stopped = true));
  try {
    do {
      const snapshot = await reader.snapshot();
      if (flags.json) process.stdout.write(`${JSON.stringify(snapshot, (_key, value) => (value === Number.POSITIVE_INFINITY ? null : value))}\n`);
      else {
        // --watch redraws the screen on a terminal; piped, snapshots follow one another.
        if (watchSeconds !== undefined && process.stdout.isTTY) process.stdout.write('\u001b[2J\u001b[H');
        process.stdout.write(statsText(snapshot, deadLetterQueue));
        if (watchSeconds !== undefined) process.stdout.write('\n');
      }
      if (watchSeconds === undefined) break;
      await Promise.race([stop.promise, new Promise((resolve) => setTimeout(resolve, watchSeconds * 1000).unref())]);
    } while (!stopped);
  } catch (error) {
    logger.error(`cannot read the stats: ${redactText(error instanceof Error ? error.message : String(error))}`);
    return EXIT.failure;
  } finally {
    stop.cancel();
    await reader.close();
  }
  return EXIT.ok;
}

/**
 * `warren stats`: per job queue ready, running, consumers, arrival and ack rates and latency;
 * delayed jobs per due window; dead letters per reason; live workers. `--json` prints the
 * StatsSnapshot (one line per snapshot with --watch); `--watch [seconds]` repeats until Ctrl-C.
 */
export function statsCommand(logger: Logger, setExit: (code: number) => void): Command {
  const command = new Command('stats')
    .description("queues, delayed jobs, dead letters and live workers, read from the broker and the workers' heartbeats")
    .option('--json', 'print the snapshot as JSON (one line per snapshot)')
    .option('--watch [seconds]', `repeat every [seconds] (default ${DEFAULTS.stats.watchSeconds}) until Ctrl-C`, integer('--watch', 1))
    .option('--queue <name>', "only this job queue (repeatable; default: the topology's, the default queue and those workers consume)", collect)
    .option('--topology <file>', 'topology file (YAML or JSON) naming the job queues; repeatable', collect);
  addConnectionFlags(command);
  addDelayFlags(command);
  return command.action(async (flags: StatsFlags) => {
    if (typeof flags.watch === 'number' && flags.watch > 3600) throw new UsageError(`--watch takes at most 3600 seconds, not ${flags.watch}`);
    setExit(await runStats(flags, logger));
  });
}
