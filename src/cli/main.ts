import { Command, CommanderError } from 'commander';
import type { Logger } from 'pino';
import { createLogger, defaultLogFormat, logDestination } from '../config/logger.js';
import { redactText } from '../support/redact.js';
import { WARREN_VERSION } from '../support/package-info.js';
import { configure } from '../config/configuration.js';
import { ConfigurationError, ScheduleError, TopologyError } from '../errors.js';
import { deadCommand } from './commands/dead.js';
import { delaysCommand } from './commands/delays.js';
import { enqueueCommand } from './commands/enqueue.js';
import { generateCommand } from './commands/generate.js';
import { statsCommand } from './commands/stats.js';
import { topologyCommand } from './commands/topology.js';
import { webCommand } from './commands/web.js';
import { workerCommand } from './commands/worker.js';
import { workersCommand } from './commands/workers.js';
import { queueCommand } from './commands/queue.js';
import { scheduleCommand } from './commands/schedule.js';
import { EXIT, UsageError } from './exit-codes.js';

/**
 * Logs go to stderr at WARREN_LOG_LEVEL (default info); command output goes to stdout. Readable
 * lines on a terminal, JSON otherwise; `--log-format json|pretty` (or WARREN_LOG_FORMAT) chooses.
 */
function cliLogger(argv: readonly string[]): Logger {
  const level = process.env.WARREN_LOG_LEVEL ?? 'info';
  const flag = argv.indexOf('--log-format');
  const asked = flag >= 0 ? argv[flag + 1] : argv.find((arg) => arg.startsWith('--log-format='))?.slice('--log-format='.length);
  if (asked !== undefined && asked !== 'json' && asked !== 'pretty') throw new UsageError(`--log-format must be json or pretty, not ${JSON.stringify(asked)}`);
  return createLogger(level, logDestination(asked ?? defaultLogFormat(process.stderr), 2, level));
}

/** Validation errors of topology files are usage errors; drift and broker failures are not. */
function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof ConfigurationError || error instanceof ScheduleError) return true;
  return error instanceof TopologyError && error.name === 'TopologyValidationError';
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help).
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const message = redactText(error instanceof Error ? error.message : String(error));
  process.stderr.write(`warren: ${message}\n`);
  return isUsageError(error) ? EXIT.usage : EXIT.failure;
}

function withExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) withExitOverride(sub);
}

/**
 * The `warren` command line: `worker`, `topology plan|apply|verify`, `enqueue`, `dead list|retry|purge`, `delays status|migrate`,
 * `stats`, `workers list|quiet|stop|cancel`, `queue pause|resume|status`, `web`, `generate job`.
 * Returns the exit code (see EXIT) instead of exiting, so it can be tested in-process.
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  let logger: Logger;
  try {
    logger = cliLogger(argv);
  } catch (error) {
    return exitCodeFor(error);
  }
  configure({ logger });
  let exitCode: number = EXIT.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('warren')
    .description('warren: background jobs for Node on RabbitMQ, with Active Job semantics')
    .version(WARREN_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .option('--log-format <format>', 'json (default when stderr is not a terminal) or pretty (default on a terminal); also WARREN_LOG_FORMAT')
    .addCommand(workerCommand(logger, setExit))
    .addCommand(topologyCommand(logger, setExit))
    .addCommand(enqueueCommand(logger, setExit))
    .addCommand(deadCommand(logger, setExit))
    .addCommand(delaysCommand(logger, setExit))
    .addCommand(statsCommand(logger, setExit))
    .addCommand(workersCommand(logger, setExit))
    .addCommand(queueCommand(logger, setExit))
    .addCommand(scheduleCommand(logger, setExit))
    .addCommand(webCommand(logger, setExit))
    .addCommand(generateCommand(setExit));
  withExitOverride(program);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    return exitCodeFor(error);
  }
  return exitCode;
}
