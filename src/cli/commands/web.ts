import { Command } from 'commander';
import type { Logger } from 'pino';
import { DEFAULTS } from '../../config/defaults.js';
import { ConfigurationError } from '../../errors.js';
import { redactText } from '../../support/redact.js';
import { defaultTopology, loadTopology } from '../../topology/index.js';
import type { DashboardAuth } from '../../web/auth.js';
import { startDashboard } from '../../web/dashboard.js';
import { addConnectionFlags, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { collect, integer } from '../parsers.js';
import { addSigningFlags, signingOptions, type SigningFlags } from '../signing-flags.js';

interface WebFlags extends ConnectionFlags, SigningFlags {
  host?: string;
  port?: number;
  token?: string;
  basic?: string;
  basePath?: string;
  deadLetterQueue?: string;
  topology?: string[];
}

/** --token, else $WARREN_WEB_TOKEN, or --basic user:pass; both is a usage error. */
function authFrom(flags: WebFlags): DashboardAuth | undefined {
  const token = flags.token ?? (process.env.WARREN_WEB_TOKEN || undefined);
  if (flags.token !== undefined && flags.basic !== undefined) throw new UsageError('warren web takes --token or --basic, not both');
  if (flags.basic !== undefined) {
    const separator = flags.basic.indexOf(':');
    if (separator <= 0) throw new UsageError('--basic expects <user>:<password>');
    return { username: flags.basic.slice(0, separator), password: flags.basic.slice(separator + 1) };
  }
  return token === undefined ? undefined : { token };
}

/** Resolves at the first SIGINT or SIGTERM. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function runWeb(flags: WebFlags, logger: Logger): Promise<number> {
  const auth = authFrom(flags);
  const signing = signingOptions(flags);
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  let running: Awaited<ReturnType<typeof startDashboard>>;
  try {
    running = await startDashboard({
      ...connectionOptions(flags),
      logger,
      topology,
      ...(flags.host !== undefined && { host: flags.host }),
      ...(flags.port !== undefined && { port: flags.port }),
      ...(auth !== undefined && { auth }),
      ...(flags.basePath !== undefined && { basePath: flags.basePath }),
      ...(flags.deadLetterQueue !== undefined && { deadLetterQueue: flags.deadLetterQueue }),
      ...(signing !== undefined && { signing }),
    });
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    logger.error(`the dashboard could not start: ${redactText(error instanceof Error ? error.message : String(error))}`);
    return EXIT.failure;
  }
  const stopped = stopSignal();
  process.stdout.write(`warren web: dashboard on ${running.url}${auth ? ` (${'token' in auth ? 'token' : 'basic'} auth)` : ''}; Ctrl-C stops it\n`);
  logger.info({ url: running.url, auth: auth ? ('token' in auth ? 'token' : 'basic') : 'none' }, 'dashboard ready');
  await stopped;
  await running.close();
  return EXIT.ok;
}

/** `warren web`: the dashboard on a server of its own, until SIGINT/SIGTERM. */
export function webCommand(logger: Logger, setExit: (code: number) => void): Command {
  const command = new Command('web')
    .description('serve the dashboard (queues, workers, scheduled jobs, retries, dead letters) until SIGTERM/SIGINT')
    .option('--host <address>', `address to listen on (default: ${DEFAULTS.web.host}); any other needs --token or --basic`)
    .option('--port <n>', `port to listen on (default: ${DEFAULTS.web.port}; 0 picks a free one)`, integer('--port', 0))
    .option('--token <token>', 'require this bearer token (or a login with it); prefer $WARREN_WEB_TOKEN: ps shows command lines')
    .option('--basic <user:password>', 'require HTTP basic auth with these credentials')
    .option('--base-path <path>', 'serve under this path, e.g. /warren (default: the root)')
    .option('--dead-letter-queue <name>', `the dead-letter queue (default: ${DEFAULTS.amqp.deadLetterQueue})`)
    .option('--topology <file>', 'topology file (YAML or JSON) naming the queues and routing retried jobs; repeatable', collect);
  addConnectionFlags(command);
  addSigningFlags(command, 'producer');
  return command.action(async (flags: WebFlags) => {
    if (flags.port !== undefined && flags.port > 65_535) throw new UsageError(`--port must be at most 65535, not ${flags.port}`);
    setExit(await runWeb(flags, logger));
  });
}
