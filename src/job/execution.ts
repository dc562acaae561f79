import type { Logger } from 'pino';
import { readArguments } from '../envelope/arguments.js';
import { ConfigurationError, JobTimeoutError } from '../errors.js';
import { isThenable } from '../thenable.js';
import { CallbackAbort } from './abort.js';
import { HALTED, hasCallbacks, RAN, runCallbacks, type ChainResult } from './callbacks.js';
import { handleError, runAfterDiscard, type RuleOutcome } from './exceptions.js';
import { internalsOf } from './internal-state.js';
import { executionController, resetExecutionSignal, unlinkExecutionSignal } from './job-signal.js';
import { jobNameOf } from './job-name.js';
import type { JobClassSettings } from './job-class.js';
import type { Job } from './job.js';
import { argumentFields, errorName, jobFields, logJobLine, roundMs } from './logging.js';

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
export function performJob(job: Job, options: PerformOptions): Promise<PerformOutcome> {
  try {
    return startExecution(job, options);
  } catch (error) {
    // An invalid class timeout, or a log line that throws: a rejection, as from an async function.
    return Promise.reject(error);
  }
}

function startExecution(job: Job, options: PerformOptions): Promise<PerformOutcome> {
  const started = performance.now();
  job.executions += 1;
  const state = internalsOf(job);
  state.retried = false;
  state.loggerParent = options.logger;
  state.lineFields = jobFields(job);
  state.logger = undefined;
  // The job's own signal is built when read (job-signal.ts), or now for a class with a timeout.
  const timeoutMs = timeoutOf(job.constructor as JobClassSettings);
  resetExecutionSignal(state, options.signal, timeoutMs !== undefined);
  const controller = timeoutMs === undefined ? undefined : executionController(state);
  if (options.logger.isLevelEnabled('debug')) logJobLine(job, 'debug', { event: 'performing', ...argumentFields(job) }, 'performing');
  // Chained promises rather than an async function, and closures only where a value must
  // be carried: each async frame costs a job about half a kilobyte of garbage (bench/README.md).
  let value: unknown;
  const finish = (chain: ChainResult): PerformOutcome => {
    unlinkExecutionSignal(state);
    const outcome = chain.ran ? 'performed' : 'skipped';
    const durationMs = roundMs(performance.now() - started);
    logJobLine(job, 'info', chain.ran ? { event: outcome, duration_ms: durationMs } : { event: outcome, duration_ms: durationMs, halted: chain.halted }, outcome);
    return { outcome, value, durationMs };
  };
  const fail = (error: unknown): Promise<PerformOutcome> =>
    handleOrFail(job, error, started).then(
      (handled) => {
        unlinkExecutionSignal(state);
        const outcome: ExecutionOutcome = handled === 'rescued' ? 'performed' : handled;
        const durationMs = roundMs(performance.now() - started);
        if (handled === 'rescued') logJobLine(job, 'info', { event: 'performed', duration_ms: durationMs, rescued: errorName(error) }, 'performed');
        if (handled === 'discarded') logJobLine(job, 'warn', { event: 'discarded', duration_ms: durationMs, err: error }, 'discarded');
        // 'retried' was logged by retryJob, with the wait and the retry's scheduled time.
        return { outcome, value: undefined, durationMs };
      },
      (thrown: unknown) => {
        unlinkExecutionSignal(state);
        throw thrown;
      },
    );
  try {
    const pending = ensureArgumentsDeserialized(job);
    if (!controller && !pending && !hasCallbacks(job, 'perform')) {
      // The common job: no timeout, no callbacks, arguments already read. perform alone
      // (which may still halt with abort()).
      const result: unknown = job.perform(...(job.arguments as never[]));
      const failBare = (error: unknown): PerformOutcome | Promise<PerformOutcome> => (error instanceof CallbackAbort ? finish(HALTED) : fail(error));
      if (!isThenable(result)) {
        value = result;
        // Outside this try: an error of the 'performed' line must not go through the job's rules.
        return performedNow(finish);
      }
      return Promise.resolve(result).then((resolved) => {
        value = resolved;
        return finish(RAN);
      }, failBare);
    }
    const perform = (): Promise<void> => {
      const result: unknown = job.perform(...(job.arguments as never[]));
      if (isThenable(result)) return Promise.resolve(result).then((resolved) => void (value = resolved));
      value = result;
      return DONE;
    };
    const run = (): Promise<ChainResult> => (pending ? pending.then(() => runCallbacks(job, 'perform', perform)) : runCallbacks(job, 'perform', perform));
    const chain = controller && timeoutMs !== undefined ? withTimeout(job, timeoutMs, controller, run) : run();
    return chain.then(finish, fail);
  } catch (error) {
    if (error instanceof CallbackAbort) return Promise.resolve(finish(HALTED));
    return fail(error);
  }
}

const DONE: Promise<void> = Promise.resolve();

function performedNow(finish: (chain: ChainResult) => PerformOutcome): Promise<PerformOutcome> {
  try {
    return Promise.resolve(finish(RAN));
  } catch (error) {
    return Promise.reject(error);
  }
}

async function handleOrFail(job: Job, error: unknown, started: number): Promise<RuleOutcome> {
  const elapsed = (): number => roundMs(performance.now() - started);
  let handled: RuleOutcome | undefined;
  try {
    handled = await handleError(job, error);
    if (handled === undefined) await runAfterDiscard(job, error);
  } catch (thrown) {
    logJobLine(job, 'error', { event: 'failed', duration_ms: elapsed(), err: thrown, exception_executions: job.exceptionExecutions }, 'failed');
    throw thrown;
  }
  if (handled === undefined) {
    logJobLine(job, 'error', { event: 'failed', duration_ms: elapsed(), err: error }, 'failed');
    throw error;
  }
  return handled;
}

/** Deserializes the received arguments; a promise only when that needs an await (GlobalIDs). */
function ensureArgumentsDeserialized(job: Job): Promise<void> | undefined {
  const state = internalsOf(job);
  if (state.argumentsDeserialized || !state.receivedArguments) return undefined;
  const read = readArguments(state.receivedArguments);
  if (!Array.isArray(read)) {
    return read.then((values) => {
      job.arguments = values;
      state.argumentsDeserialized = true;
    });
  }
  job.arguments = read;
  state.argumentsDeserialized = true;
  return undefined;
}

/**
 * Run `work` bounded by the class's `timeout` (ms): when it expires, the job's signal
 * is aborted with a JobTimeoutError and the execution fails with it (the perform
 * promise is abandoned; perform should stop when `this.signal` aborts).
 */
async function withTimeout<T>(job: Job, timeoutMs: number, controller: AbortController, work: () => Promise<T>): Promise<T> {
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
  let running: Promise<T>;
  try {
    running = work();
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
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
