import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import type { Logger } from 'pino';
import type { DeadLetter } from '../../amqp/dead-letters/dead-letter-message.js';
import { DeadLetterQueue, type RetryReport } from '../../adapters/amqp/dead-letter-queue.js';
import { DEFAULTS } from '../../config/defaults.js';
import { defaultTopology, loadTopology } from '../../topology/index.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { collect, integer } from '../parsers.js';

interface DeadFlags extends ConnectionFlags {
  deadLetterQueue?: string;
  queue?: string;
  limit?: number;
  json?: boolean;
  all?: boolean;
  yes?: boolean;
  topology?: string[];
}

/** Asks a yes/no question on the terminal; only "y" or "yes" is yes. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

async function openQueue(flags: DeadFlags, logger: Logger): Promise<DeadLetterQueue> {
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  return DeadLetterQueue.open({ ...connectionOptions(flags), topology, logger, ...(flags.deadLetterQueue ? { queue: flags.deadLetterQueue } : {}) });
}

async function withQueue(flags: DeadFlags, logger: Logger, work: (queue: DeadLetterQueue) => Promise<number>): Promise<number> {
  const queue = await openQueue(flags, logger);
  try {
    return await work(queue);
  } finally {
    await queue.close();
  }
}

/** Frames of the backtrace shown per dead letter (all of them with --json). */
const SHOWN_FRAMES = 5;

function line(letter: DeadLetter): string {
  const error = letter.errorClass ? `  ${letter.errorClass}: ${letter.errorMessage ?? ''}` : '';
  const head = `${letter.jobId ?? '(no id)'}  ${letter.jobClass ?? '?'}  queue=${letter.originalQueue ?? '?'}  reason=${letter.reason}  executions=${letter.executions ?? '?'}  at=${letter.deadAt ?? '?'}${error}`;
  const args = letter.arguments === undefined ? '(body is not a readable envelope)' : JSON.stringify(letter.arguments);
  const frames = letter.errorBacktrace ?? [];
  const more = frames.length > SHOWN_FRAMES ? [`    ... ${frames.length - SHOWN_FRAMES} more (--json shows all)`] : [];
  return [
    head,
    `    arguments: ${args.length > 500 ? `${args.slice(0, 500)}...` : args}`,
    ...frames.slice(0, SHOWN_FRAMES).map((frame) => `    ${frame}`),
    ...more,
  ].join('\n');
}

function printRetry(report: RetryReport): number {
  for (const jobId of report.retried) process.stdout.write(`retried ${jobId}\n`);
  for (const failure of report.failed) process.stdout.write(`not retried ${failure.jobId ?? '(no id)'}: ${failure.error}\n`);
  const failed = report.failed.length > 0 ? `, ${report.failed.length} could not be retried (they stay in the dead-letter queue)` : '';
  process.stdout.write(`${report.retried.length} retried${failed}\n`);
  return report.failed.length > 0 ? EXIT.failure : EXIT.ok;
}

function common(command: Command): Command {
  addConnectionFlags(command);
  return command
    .option('--dead-letter-queue <name>', `the dead-letter queue (default: ${DEFAULTS.amqp.deadLetterQueue})`)
    .option('--queue <name>', 'only dead letters whose original queue is this one');
}

/**
 * `warren dead list|retry|purge`: the dead-letter queue. Listing takes messages without
 * acknowledging them and puts them all back (see DeadLetterQueue); retry sends jobs back to
 * their original queue with their executions kept.
 */
export function deadCommand(logger: Logger, setExit: (code: number) => void): Command {
  const list = common(new Command('list'))
    .description('show dead letters, oldest first (they stay in the queue)')
    .option('--limit <n>', 'show at most n (default: all)', integer('--limit', 1))
    .option('--json', 'one JSON object per line')
    .action(async (flags: DeadFlags) => {
      setExit(
        await withQueue(flags, logger, async (queue) => {
          const letters = await queue.list({ ...(flags.queue ? { queue: flags.queue } : {}), ...(flags.limit ? { limit: flags.limit } : {}) });
          for (const letter of letters) process.stdout.write(`${flags.json ? JSON.stringify(letter) : line(letter)}\n`);
          if (!flags.json) process.stdout.write(`${letters.length} dead letter(s) shown, ${await queue.count()} in "${queue.queue}"\n`);
          return EXIT.ok;
        }),
      );
    });
  const retry = common(new Command('retry'))
    .description('send a dead job (by job id), or every one (--all), back to its original queue; its executions are kept')
    .argument('[jobId]', 'the job id (the message id) of the dead letter to retry')
    .option('--all', 'retry every dead letter (of --queue, when given)')
    .option('--topology <file>', 'topology file (YAML or JSON) that routes the jobs; repeatable', collect)
    .action(async (jobId: string | undefined, flags: DeadFlags) => {
      if (!jobId === !flags.all) throw new UsageError('warren dead retry needs a job id or --all (not both)');
      setExit(
        await withQueue(flags, logger, async (queue) =>
          printRetry(jobId ? await queue.retry(jobId) : await queue.retryAll(flags.queue ? { queue: flags.queue } : {})),
        ),
      );
    });
  const purge = common(new Command('purge'))
    .description('delete dead letters (all, or those of --queue); asks first on a terminal, needs --yes otherwise')
    .option('--yes', 'do not ask')
    .action(async (flags: DeadFlags) => {
      if (!flags.yes && !process.stdin.isTTY) {
        throw new UsageError('warren dead purge deletes dead letters for good: pass --yes (there is no terminal to ask on)');
      }
      setExit(
        await withQueue(flags, logger, async (queue) => {
          if (!flags.yes) {
            const count = await queue.count();
            const which = flags.queue ? ` of queue "${flags.queue}"` : '';
            if (!(await confirm(`Delete the dead letters${which} in "${queue.queue}" (${count} in all) for good? [y/N] `))) {
              process.stdout.write('nothing deleted\n');
              return EXIT.ok;
            }
          }
          const purged = await queue.purge(flags.queue ? { queue: flags.queue } : {});
          process.stdout.write(`${purged} dead letter(s) deleted from "${queue.queue}"\n`);
          return EXIT.ok;
        }),
      );
    });
  return new Command('dead').description('list, retry or purge the dead-letter queue').addCommand(list).addCommand(retry).addCommand(purge);
}
