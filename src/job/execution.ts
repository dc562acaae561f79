import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import { readArguments } from '../envelope/arguments.js';
import type { Envelope } from '../envelope/envelope.js';
import { isThenable } from '../support/thenable.js';
import { CallbackAbort, HALTED, hasCallbacks, RAN, runCallbacks, type ChainResult } from './callbacks.js';
import { isCurrentContext, withLocaleAndTimezone } from './context.js';
import { handleError, runAfterDiscard, type RuleOutcome } from './exceptions.js';
import { finishContinuation, resumeAfter } from './continuation/continuable.js';
import { isLatestDebounced, releaseUniqueLock, uniqueOf } from './unique-job.js';
import { adapterFor } from './enqueuing.js';
import { EnqueueError } from '../errors.js';
import { internalsOf, type JobInternals } from './internal-state.js';
import type { JobClassSettings } from './job-class.js';
import { executionController, resetExecutionSignal, unlinkExecutionSignal } from './job-signal.js';
import type { Job } from './job.js';
import { argumentFields, errorName, jobFields, logJobLine, roundMs } from './logging.js';
import type { JobRegistry } from './registry.js';
import { jobFromEnvelope } from './serialization.js';
import { timeoutOf, withTimeout } from './timeout.js';

export interface ExecuteOptions {
  /** Aborted on worker shutdown or job timeout; handed to perform through the job's context. */
  signal?: AbortSignal;
  /** Parent of the job's child logger. Default: settings().logger. */
  logger?: Logger;
  /** Where retries are enqueued; default: the job class's adapter (or the global default). */
  adapter?: QueueAdapter;
  /** Told when the job starts and ends (the worker's list of running jobs, for heartbeats and cancel). */
  tracker?: ExecutionTracker | undefined;
}

/**
 * Hears of each job an execution built from an envelope: `started` before its callbacks run,
 * `ended` once, just before the sink hears how it ended, with the number `started` returned
 * (the tracker's slot for the job: it need not look the job up). Must not throw.
 */
export interface ExecutionTracker {
  started(job: Job): number;
  ended(job: Job, slot: number): void;
}

export interface ExecutionResult {
  outcome: ExecutionOutcome;
  durationMs: number;
}

/**
 * Active Job's `execute(job_data)`, the one path every adapter and the worker take:
 * look the class up in the registry, build the job from the envelope, restore its
 * locale and timezone, and run it (runJob: callbacks, perform, the job's rescue, retry
 * and discard rules). The end goes to `sink`: `ended` when the job is done with
 * (performed, retried with the retry durably enqueued, discarded, or skipped by a
 * callback), `failed` with UnknownJobError, DeserializationError (when not rescued), the
 * job's own error when no rule handles it or retries are exhausted, JobTimeoutError, or
 * the EnqueueError of a retry the adapter refused. Every failure is logged ('failed')
 * before it reaches the sink, which need not log it again.
 */
export function runEnvelope(envelope: Envelope, registry: JobRegistry, options: ExecuteOptions, sink: ExecutionSink): void {
  const logger = options.logger ?? settings().logger;
  let job: Job;
  try {
    job = jobFromEnvelope(resolveLogged(registry, envelope, logger).jobClass, envelope);
    if (options.adapter) internalsOf(job).deliveringAdapter = options.adapter;
  } catch (error) {
    sink.failed(error);
    return;
  }
  const performOptions = { logger, signal: options.signal };
  const { tracker } = options;
  const target = tracker ? new TrackedSink(job, tracker.started(job), tracker, sink) : sink;
  if (isCurrentContext(job.locale, job.timezone)) runJob(job, performOptions, target);
  else withLocaleAndTimezone({ locale: job.locale, timezone: job.timezone }, () => runJob(job, performOptions, target));
}

/** `sink`, telling `tracker` the job ended just before it (one object per job, no closures). */
class TrackedSink implements ExecutionSink {
  constructor(
    private readonly job: Job,
    private readonly slot: number,
    private readonly tracker: ExecutionTracker,
    private readonly sink: ExecutionSink,
  ) {}

  ended(outcome: PerformOutcome): void {
    this.tracker.ended(this.job, this.slot);
    this.sink.ended(outcome);
  }

  failed(error: unknown): void {
    this.tracker.ended(this.job, this.slot);
    this.sink.failed(error);
  }
}

/** runEnvelope as a promise, for callers that await one job (the in-process adapters, tests, apps). */
export function executeEnvelope(envelope: Envelope, registry: JobRegistry, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  return new Promise((resolve, reject) => runEnvelope(envelope, registry, options, { ended: resolve, failed: reject }));
}

/** The registry entry of the envelope's class; an unknown class is logged as 'failed' and thrown. */
function resolveLogged(registry: JobRegistry, envelope: Envelope, logger: Logger): ReturnType<JobRegistry['resolve']> {
  try {
    return registry.resolve(envelope.job_class);
  } catch (error) {
    logger.error({ event: 'failed', job_class: envelope.job_class, job_id: envelope.job_id, queue: envelope.queue_name, err: error }, 'failed');
    throw error;
  }
}

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
 * Where an execution ends: exactly one of the two is called, once. The methods must not
 * throw (executeEnvelope's are a promise's resolve and reject; the worker's catch everything).
 */
export interface ExecutionSink {
  /** Performed, retried, discarded or skipped. */
  ended(outcome: PerformOutcome): void;
  /** No rule handled the error, retries are exhausted, or a log line threw. */
  failed(error: unknown): void;
}

/**
 * One execution, Active Job's `perform_now`: executions + 1, arguments deserialized,
 * perform callbacks around perform, the whole bounded by the class's `timeout`; an error
 * goes through the job's rules. The end goes to `sink` (failed: no rule handled the error,
 * or retries are exhausted, after the afterDiscard callbacks ran). A sink rather than a
 * promise: a job still performing holds one promise reaction here, not a promise per
 * layer above it, and a perform that returns without a promise ends synchronously.
 */
export function runJob(job: Job, options: PerformOptions, sink: ExecutionSink): void {
  let execution: Execution;
  try {
    execution = new Execution(job, options, sink);
  } catch (error) {
    // An invalid class timeout, or a log line that throws.
    sink.failed(error);
    return;
  }
  execution.start();
}

/** The state of one execution, carried by the promise reactions of a job that performs asynchronously. */
class Execution {
  private readonly started = performance.now();
  private readonly state: JobInternals;
  private readonly timeoutMs: number | undefined;
  private readonly controller: AbortController | undefined;
  /** The job came from an envelope of a class with `static unique`: its lock is freed by this execution. */
  private readonly unique: boolean;
  /** A debounced job's first run: performed only when it is still its key's latest job. */
  private readonly debounced: boolean;
  private value: unknown;

  constructor(
    private readonly job: Job,
    options: PerformOptions,
    private readonly sink: ExecutionSink,
  ) {
    job.executions += 1;
    const state = internalsOf(job);
    this.state = state;
    state.retried = false;
    state.loggerParent = options.logger;
    state.lineFields = jobFields(job);
    state.logger = undefined;
    state.progress = undefined;
    // The job's own signal is built when read (job-signal.ts), or now for a class with a timeout.
    this.timeoutMs = timeoutOf(job.constructor as JobClassSettings);
    resetExecutionSignal(state, options.signal, this.timeoutMs !== undefined);
    this.controller = this.timeoutMs === undefined ? undefined : executionController(state);
    const unique = state.receivedArguments === undefined ? undefined : uniqueOf(job.constructor as JobClassSettings);
    this.unique = unique !== undefined;
    this.debounced = unique?.debounce !== undefined && job.executions === 1;
    if (this.unique) this.releaseUnique('executing');
    if (options.logger.isLevelEnabled('debug')) logJobLine(job, 'debug', { event: 'performing', ...argumentFields(job) }, 'performing');
  }

  start(): void {
    if (this.debounced) {
      this.startDebounced();
      return;
    }
    this.run();
  }

  /** Debounce: a job a later one of its key replaced ends as skipped, unperformed. */
  private startDebounced(): void {
    const { job, state } = this;
    let adapter: QueueAdapter;
    try {
      adapter = state.deliveringAdapter ?? adapterFor(job);
    } catch {
      this.run();
      return;
    }
    isLatestDebounced(job.constructor as JobClassSettings, job.jobId, state.receivedArguments ?? [], adapter).then(
      (latest) => {
        if (latest) {
          this.run();
          return;
        }
        logJobLine(job, 'info', { event: 'debounced' }, 'skipped: a later job with the same key replaced it');
        this.end(HALTED);
      },
      (error: unknown) => this.fail(error),
    );
  }

  private run(): void {
    const { job } = this;
    let result: unknown;
    let chain: Promise<ChainResult>;
    try {
      const pending = ensureArgumentsDeserialized(job);
      if (!this.controller && !pending && !hasCallbacks(job, 'perform')) {
        // The common job: no timeout, no callbacks, arguments already read. perform alone
        // (which may still halt with abort()).
        result = job.perform(...(job.arguments as never[]));
        if (isThenable(result)) {
          Promise.resolve(result).then(
            (resolved) => this.performed(resolved),
            (error: unknown) => (error instanceof CallbackAbort ? this.end(HALTED) : this.fail(error)),
          );
          return;
        }
        chain = RAN_NOW;
      } else {
        chain = this.withCallbacks(pending);
      }
    } catch (error) {
      if (error instanceof CallbackAbort) this.end(HALTED);
      else this.fail(error);
      return;
    }
    // Outside the try: an error of the 'performed' line must not go through the job's rules.
    if (chain === RAN_NOW) this.performed(result);
    else
      chain.then(
        (ran) => this.end(ran),
        (error: unknown) => this.fail(error),
      );
  }

  private withCallbacks(pending: Promise<void> | undefined): Promise<ChainResult> {
    const { job } = this;
    const perform = (): Promise<void> => {
      const result: unknown = job.perform(...(job.arguments as never[]));
      if (isThenable(result)) return Promise.resolve(result).then((resolved) => void (this.value = resolved));
      this.value = result;
      return DONE;
    };
    const run = (): Promise<ChainResult> => (pending ? pending.then(() => runCallbacks(job, 'perform', perform)) : runCallbacks(job, 'perform', perform));
    return this.controller && this.timeoutMs !== undefined ? withTimeout(job, this.timeoutMs, this.controller, run) : run();
  }

  /** Frees the job's unique lock when its class holds it until `moment` (fire and forget: a lock not freed expires). */
  private releaseUnique(moment: 'executing' | 'executed'): void {
    const { job, state } = this;
    try {
      releaseUniqueLock(job.constructor as JobClassSettings, job.jobId, state.receivedArguments ?? [], moment, state.deliveringAdapter ?? adapterFor(job));
    } catch {
      // no adapter to reach the lock: it expires
    }
  }

  private performed(value: unknown): void {
    this.value = value;
    this.end(RAN);
  }

  /** The 'performed' (or 'skipped') line, then the sink; a throwing line fails the execution. */
  private end(chain: ChainResult): void {
    let outcome: PerformOutcome;
    try {
      unlinkExecutionSignal(this.state);
      if (this.state.continuation) finishContinuation(this.state, false);
      if (this.unique) this.releaseUnique('executed');
      const event = chain.ran ? 'performed' : 'skipped';
      const durationMs = roundMs(performance.now() - this.started);
      logJobLine(this.job, 'info', chain.ran ? { event, duration_ms: durationMs } : { event, duration_ms: durationMs, halted: chain.halted }, event);
      outcome = { outcome: event, value: this.value, durationMs };
    } catch (error) {
      this.sink.failed(error);
      return;
    }
    this.sink.ended(outcome);
  }

  private fail(error: unknown): void {
    const { job, state, started, sink } = this;
    handleOrFail(job, error, started).then(
      (handled) => {
        let outcome: PerformOutcome;
        try {
          unlinkExecutionSignal(state);
          if (state.continuation) finishContinuation(state, false);
          // A retry (or a continuation) keeps the lock: the job is still pending.
          if (this.unique && handled !== 'retried') this.releaseUnique('executed');
          const durationMs = roundMs(performance.now() - started);
          if (handled === 'rescued') logJobLine(job, 'info', { event: 'performed', duration_ms: durationMs, rescued: errorName(error) }, 'performed');
          if (handled === 'discarded') logJobLine(job, 'warn', { event: 'discarded', duration_ms: durationMs, err: error }, 'discarded');
          // 'retried' was logged by retryJob, with the wait and the retry's scheduled time.
          outcome = { outcome: handled === 'rescued' ? 'performed' : handled, value: undefined, durationMs };
        } catch (thrown) {
          sink.failed(thrown);
          return;
        }
        sink.ended(outcome);
      },
      (thrown: unknown) => {
        unlinkExecutionSignal(state);
        const abandoned = state.parentSignal?.aborted === true;
        if (state.continuation) finishContinuation(state, abandoned);
        // Dead-lettered: the lock goes. Abandoned at shutdown, or a retry that could not be published (requeued): it stays.
        if (this.unique && !abandoned && !(thrown instanceof EnqueueError)) this.releaseUnique('executed');
        sink.failed(thrown);
      },
    );
  }
}

const DONE: Promise<void> = Promise.resolve();
/** Marks, in start(), a perform that returned without a promise. */
const RAN_NOW: Promise<ChainResult> = Promise.resolve(RAN);

async function handleOrFail(job: Job, raised: unknown, started: number): Promise<RuleOutcome> {
  const elapsed = (): number => roundMs(performance.now() - started);
  const state = internalsOf(job);
  let error = raised;
  if (state.parentSignal?.aborted) {
    // The worker cut the job off at shutdown: not a failure of the job, and no retry rule applies.
    // Its delivery stays unacked, so the broker hands it to a worker again.
    logJobLine(job, 'warn', { event: 'abandoned', duration_ms: elapsed(), error: errorName(error) }, 'abandoned at shutdown; the broker delivers it again');
    throw error;
  }
  if (state.continuation) {
    // A continuable job that was interrupted (or failed after making progress) goes on in a new delivery.
    let resumed: Awaited<ReturnType<typeof resumeAfter>>;
    try {
      resumed = await resumeAfter(job, state.continuation, error);
    } catch (thrown) {
      logJobLine(job, 'error', { event: 'failed', duration_ms: elapsed(), err: thrown }, 'failed: its continuation could not be enqueued');
      throw thrown;
    }
    if (resumed === 'retried' || resumed === 'discarded') return resumed;
    if (resumed) error = resumed;
  }
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
