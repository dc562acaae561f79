import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import type { JsonValue, WireContinuation } from '../envelope/envelope.js';
import type { ContinuationRun } from './continuation/continuable.js';
import type { Job } from './job.js';

/** Per-job bookkeeping that is not part of the public job API. */
export interface JobInternals {
  /** Arguments exactly as received in an envelope; retries re-send them verbatim. */
  receivedArguments?: JsonValue[] | undefined;
  /** True once `arguments` holds deserialized values for `receivedArguments`. */
  argumentsDeserialized: boolean;
  /** The adapter that delivered the job; retries go back through it. */
  deliveringAdapter?: QueueAdapter | undefined;
  /** Set when retryJob enqueued the job again during the current execution. */
  retried: boolean;
  /** The logger the current execution's child logger derives from. */
  loggerParent?: Logger | undefined;
  /** The job's fields as the current execution started (a retry may change the queue before a line is written). */
  lineFields?: { job_class: string; job_id: string; queue: string; executions: number } | undefined;
  /** The current execution's child logger, built on first use (see executionLogger). */
  logger?: Logger | undefined;
  /** The signal the worker handed to the current execution (aborted when shutdown gives up on it). */
  parentSignal?: AbortSignal | undefined;
  /** Whether the execution needs its own controller even without a parent (a class timeout). */
  needsController?: boolean | undefined;
  /** The execution's own controller, behind `job.signal` (see job-signal.ts). */
  controller?: AbortController | undefined;
  /** Removes the controller's listener from parentSignal. */
  unlinkSignal?: (() => void) | undefined;
  /** The last value the job reported with `job.progress()` during the current execution (heartbeats show it). */
  progress?: JobProgress | undefined;
  /** A continuable job's progress as the envelope (or the job's last run) left it. */
  receivedContinuation?: WireContinuation | undefined;
  /** How many times the job was resumed (the envelope's `resumptions`); undefined for a job never continued. */
  resumptions?: number | undefined;
  /** The current run's continuation, from its first `this.step` call until the execution ends. */
  continuation?: ContinuationRun | undefined;
  /** The first step's continuation while it is being built (a crash checkpoint may be read first). */
  continuationStarting?: Promise<ContinuationRun> | undefined;
  /** `set({ unique })` for this enqueue: false skips the class's uniqueness, `{ ttl }` changes the lock's life. */
  uniqueOverride?: false | { ttl?: number | undefined } | undefined;
}

/** What `job.progress(value)` takes: a number (a percentage, say), a short text, or a small JSON object. */
export type JobProgress = number | string | { readonly [key: string]: JsonValue };

/**
 * A job's internals with every field present from the start: one shape for every job, its
 * fields inside the object (added one by one, they spilled into a separate property array
 * per job; docs/performance.md).
 */
export function freshInternals(): JobInternals {
  return {
    receivedArguments: undefined,
    argumentsDeserialized: true,
    deliveringAdapter: undefined,
    retried: false,
    loggerParent: undefined,
    lineFields: undefined,
    logger: undefined,
    parentSignal: undefined,
    needsController: undefined,
    controller: undefined,
    unlinkSignal: undefined,
    progress: undefined,
    receivedContinuation: undefined,
    resumptions: undefined,
    continuation: undefined,
    continuationStarting: undefined,
    uniqueOverride: undefined,
  };
}

let readInternals: ((job: Job) => JobInternals) | undefined;

/**
 * Called once by Job (job.ts): the state lives in a private field of Job, read as fast as a
 * property, invisible to a spread copy and to deep equality, and not a WeakMap entry per
 * short-lived job (an ephemeron every young-generation GC must trace; docs/performance.md).
 */
export function provideInternals(reader: (job: Job) => JobInternals): void {
  readInternals = reader;
}

export function internalsOf(job: Job): JobInternals {
  return readInternals!(job);
}
