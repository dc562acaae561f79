import type { Logger } from 'pino';
import { deserializeArguments } from '../envelope/arguments.js';
import { ConfigurationError, JobTimeoutError } from '../errors.js';
import { runCallbacks, type ChainResult } from './callbacks.js';
import { handleError, runAfterDiscard, type RuleOutcome } from './exceptions.js';
import { internalsOf } from './internal-state.js';
import { jobNameOf } from './job-name.js';
import type { JobClassSettings } from './job-class.js';
import type { Job } from './job.js';
import { argumentFields, errorName, jobLogger, roundMs } from './logging.js';

/**
 * performed: perform finished (or a rescueFrom handler handled its error);
 * retried: a retry is enqueued; discarded: a discardOn rule (or retryOn's give-up
 * handler) dropped the job; skipped: a callback halted or an around callback did not
 * call next().
 */
export type ExecutionOutcome = 'performed' | 'retried' | 'discarded' | 'skipped';

export interface PerformOptions {
  /** The logger the job's child logger derives from. */
  logger: Logger;
  /** Combined with the job's timeout into `job.signal`. */
  signal?: AbortSignal | undefined;
}

export interface PerformOutcome {
  outcome: ExecutionOutcome;
  /** What perform resolved to (undefined unless the outcome is 'performed' by perform itself). */
  value: unknown;
  durationMs: number;
}

/**
 * One execution, Active Job's `perform_now`: executions + 1, arguments deserialized,
 * perform callbacks around perform, the whole bounded by the class's `timeout`; an
 * error goes through the job's rules. Rejects with the error when no rule handles it
 * (after running afterDiscard callbacks) or when retries are exhausted.
 */
export async function performJob(job: Job, options: PerformOptions): Promise<PerformOutcome> {
  const started = performance.now();
  job.executions += 1;
  const state = internalsOf(job);
  state.retried = false;
  const logger = jobLogger(options.logger, job);
  state.logger = logger;
  // A timeout needs its own controller, combined with the caller's signal. Without one the caller's
  // signal is used as is: AbortSignal.any costs ~15 µs a job on Node 20 (bench/README.md).
  const controller = timeoutOf(job.constructor as JobClassSettings) === undefined ? undefined : new AbortController();
  state.signal = controller ? (options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal) : options.signal;
  const elapsed = (): number => roundMs(performance.now() - started);

  logger.debug({ event: 'performing', ...argumentFields(job) }, 'performing');
  let value: unknown;
  try {
    const chain = await withTimeout(job, controller, async (): Promise<ChainResult> => {
      await ensureArgumentsDeserialized(job);
      return runCallbacks(job, 'perform', async () => {
        value = await job.perform(...(job.arguments as never[]));
      });
    });
    const outcome = chain.ran ? 'performed' : 'skipped';
    logger.info({ event: outcome, duration_ms: elapsed(), ...(chain.ran ? {} : { halted: chain.halted }) }, outcome);
    return { outcome, value, durationMs: elapsed() };
  } catch (error) {
    const handled = await handleOrFail(job, error, logger, elapsed);
    const outcome: ExecutionOutcome = handled === 'rescued' ? 'performed' : handled;
    if (handled === 'rescued') logger.info({ event: 'performed', duration_ms: elapsed(), rescued: errorName(error) }, 'performed');
    if (handled === 'discarded') logger.warn({ event: 'discarded', duration_ms: elapsed(), err: error }, 'discarded');
    // 'retried' was logged by retryJob, with the wait and the retry's scheduled time.
    return { outcome, value: undefined, durationMs: elapsed() };
  }
}

async function handleOrFail(job: Job, error: unknown, logger: Logger, elapsed: () => number): Promise<RuleOutcome> {
  let handled: RuleOutcome | undefined;
  try {
    handled = await handleError(job, error);
    if (handled === undefined) await runAfterDiscard(job, error);
  } catch (thrown) {
    logger.error({ event: 'failed', duration_ms: elapsed(), err: thrown, exception_executions: job.exceptionExecutions }, 'failed');
    throw thrown;
  }
  if (handled === undefined) {
    logger.error({ event: 'failed', duration_ms: elapsed(), err: error }, 'failed');
    throw error;
  }
  return handled;
}

async function ensureArgumentsDeserialized(job: Job): Promise<void> {
  const state = internalsOf(job);
  if (state.argumentsDeserialized || !state.receivedArguments) return;
  job.arguments = await deserializeArguments(state.receivedArguments);
  state.argumentsDeserialized = true;
}

/**
 * Run `work` bounded by the class's `timeout` (ms): when it expires, the job's signal
 * is aborted with a JobTimeoutError and the execution fails with it (the perform
 * promise is abandoned; perform should stop when `this.signal` aborts).
 */
async function withTimeout<T>(job: Job, controller: AbortController | undefined, work: () => Promise<T>): Promise<T> {
  const timeoutMs = timeoutOf(job.constructor as JobClassSettings);
  if (timeoutMs === undefined || !controller) return work();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(
        `${jobNameOf(job.constructor as JobClassSettings)} ${job.jobId} timed out after ${timeoutMs} ms`,
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const running = work();
  running.catch(() => undefined); // an abandoned perform may still fail later
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The class's perform timeout in ms, validated; undefined when it declares none. */
export function timeoutOf(jobClass: JobClassSettings): number | undefined {
  const timeout = jobClass.timeout;
  if (timeout === undefined) return undefined;
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw new ConfigurationError(`${jobClass.name}.timeout must be a positive number of milliseconds (got ${timeout})`);
  }
  return timeout;
}
