import type { Logger } from 'pino';
import type { EnqueueReceipt, QueueAdapter } from '../adapters/adapter.js';
import { hasCallbacks, runCallbacks } from './callbacks.js';
import { enqueuedFrom } from './enqueued-from.js';
import { argumentFields, executionLogger, jobLogger, logJobLine, errorName } from './logging.js';
import { applySetOptions } from './set-options.js';
import { settings } from '../config/configuration.js';
import { serializeArguments } from '../envelope/arguments.js';
import type { Envelope } from '../envelope/envelope.js';
import { markPrepared } from '../envelope/prepared.js';
import { ConfigurationError, DuplicateJobError, EnqueueError, JobInterruptedError } from '../errors.js';
import { takeUniqueLock, uniqueOf, type TakenLock } from './unique-job.js';
import { currentLocale, currentTimezone } from './context.js';
import { internalsOf } from './internal-state.js';
import type { JobClassSettings } from './job-class.js';
import { jobNameOf } from './job-class.js';
import type { Job } from './job.js';
import { envelopeFor } from './serialization.js';
import type { SetOptions } from './set-options.js';

/**
 * Active Job's `job.enqueue(options)`: apply the options, then run the enqueue
 * callbacks around building the envelope and handing it to the adapter (`enqueueAt`
 * when the job has a scheduled time, else `enqueue`).
 *
 * Resolves true when the adapter accepted the job. Resolves false when a callback
 * halted (no error) or the adapter refused: then `job.enqueueError` holds an
 * EnqueueError and, as in Rails, the after callbacks still run (they can read
 * `job.successfullyEnqueued`). Throws SerializationError (no callbacks after it run)
 * and ConfigurationError (no adapter, bad options) instead of resolving.
 */
export async function enqueueJob(job: Job, options: SetOptions = {}): Promise<boolean> {
  // Taken before the first await, while the caller is still on the stack.
  const from = settings().verboseEnqueueLogs ? enqueuedFrom() : undefined;
  applySetOptions(job, options);
  job.successfullyEnqueued = false;
  job.enqueueError = undefined;
  const adapter = adapterFor(job);
  // Without enqueue callbacks (the common class), no chain to run around the send.
  if (!hasCallbacks(job, 'enqueue')) {
    await sendAndLog(job, adapter, from);
    return job.successfullyEnqueued;
  }
  const { halted } = await runCallbacks(job, 'enqueue', () => sendAndLog(job, adapter, from));
  if (halted) logJobLine(job, 'info', { event: 'enqueue_halted' }, 'enqueue halted by a callback');
  return job.successfullyEnqueued;
}

/** Builds the envelope, hands it to the adapter and logs the outcome; an adapter's refusal is kept in job.enqueueError. */
async function sendAndLog(job: Job, adapter: QueueAdapter, from: string | undefined): Promise<void> {
  debounceSchedule(job);
  const envelope = prepareEnvelope(job);
  let lock: TakenLock | undefined;
  try {
    const state = internalsOf(job);
    // A job from an envelope (a retry, a continuation) keeps the lock it holds.
    // Checked without an await first: a class without `unique` adds nothing to the enqueue.
    const jobClass = job.constructor as JobClassSettings;
    const taken =
      state.receivedArguments || !uniqueOf(jobClass) ? undefined : await takeUniqueLock(jobClass, job.jobId, envelope.arguments, state.uniqueOverride, adapter);
    if (taken === 'duplicate') {
      job.enqueueError = new DuplicateJobError(
        `${jobNameOf(job.constructor as JobClassSettings)} ${job.jobId} was not enqueued: a job with the same unique key is pending or running`,
      );
      logJobLine(job, 'info', { event: 'enqueue_duplicate', adapter: adapter.name }, 'not enqueued: a job with the same unique key is pending or running');
      return;
    }
    lock = taken;
    const receipt = await send(adapter, envelope, job.scheduledAt);
    if (receipt.providerJobId !== undefined) job.providerJobId = receipt.providerJobId;
    job.successfullyEnqueued = true;
    const line: Record<string, unknown> = {
      event: 'enqueued',
      adapter: adapter.name,
      priority: envelope.priority,
      scheduled_at: envelope.scheduled_at,
      provider_job_id: job.providerJobId,
    };
    if (settings().logArguments) Object.assign(line, argumentFields(job));
    if (from !== undefined) line.enqueued_from = from;
    logJobLine(job, 'info', line, 'enqueued');
  } catch (error) {
    void lock?.release().catch(() => {});
    job.enqueueError = toEnqueueError(error, job, adapter);
    logJobLine(job, 'error', { event: 'enqueue_failed', adapter: adapter.name, err: job.enqueueError }, 'enqueue failed');
  }
}

/** A debounced class's new job runs `debounce` ms from now (or later, when asked). */
function debounceSchedule(job: Job): void {
  const debounce = uniqueOf(job.constructor as JobClassSettings)?.debounce;
  if (debounce === undefined || internalsOf(job).receivedArguments || internalsOf(job).uniqueOverride === false) return;
  const due = Date.now() + debounce;
  if (!job.scheduledAt || job.scheduledAt.getTime() < due) job.scheduledAt = new Date(due);
}

/**
 * `performLater`: enqueue and return the job. Throws its EnqueueError when the adapter
 * refused it; a job halted by a callback is returned with successfullyEnqueued = false.
 */
export async function performLater<J extends Job>(job: J, options: SetOptions = {}): Promise<J> {
  await enqueueJob(job, options);
  const error = job.enqueueError;
  // A duplicate of a unique job is a result, not an error, unless the class asks for one.
  if (error && !(error instanceof DuplicateJobError && uniqueOf(job.constructor as JobClassSettings)?.onDuplicate !== 'raise')) throw error;
  return job;
}

function send(adapter: QueueAdapter, envelope: Envelope, scheduledAt: Date | undefined): Promise<EnqueueReceipt> {
  return scheduledAt ? adapter.enqueueAt(envelope, scheduledAt.getTime()) : adapter.enqueue(envelope);
}

/** During an execution (retries) the execution's logger; otherwise a child of the configured logger. */
export function enqueueLogger(job: Job): Logger {
  return executionLogger(job) ?? jobLogger(settings().logger, job);
}

/**
 * The envelope for enqueueing `job` now: captures the current locale and timezone and
 * the enqueue time onto the job (as Active Job's serialize does), and serializes the
 * arguments; a job that came from an envelope re-sends the arguments it received.
 * Throws SerializationError for an unsupported argument.
 */
export function prepareEnvelope(job: Job): Envelope {
  const state = internalsOf(job);
  const railsCompatibility = (job.constructor as JobClassSettings).railsCompatibility ?? settings().railsCompatibility;
  const serialized = state.receivedArguments ?? serializeArguments(job.arguments, { railsCompatibility });
  job.locale = currentLocale();
  job.timezone = currentTimezone();
  job.enqueuedAt = new Date();
  const envelope = envelopeFor(job, serialized);
  // Only freshly written arguments skip the codec's checks: received ones (a retry re-sends
  // them) were checked loosely on decode, and a non-finite number among them must be refused.
  return state.receivedArguments ? envelope : markPrepared(envelope);
}

/**
 * Where a job is enqueued: the adapter that delivered it (so retries go back where the
 * job came from), else its class's static `adapter` (inherited), else settings().adapter.
 * Throws ConfigurationError when there is none.
 */
export function adapterFor(job: Job): QueueAdapter {
  const jobClass = job.constructor as JobClassSettings;
  const adapter = internalsOf(job).deliveringAdapter ?? jobClass.adapter ?? settings().adapter;
  if (!adapter) {
    const name = jobNameOf(jobClass);
    throw new ConfigurationError(`no queue adapter for ${name}: call configure({ adapter }) or set ${jobClass.name}.adapter`);
  }
  return adapter;
}

/** An adapter's rejection as an EnqueueError: kept as is when it is one, else wrapped (cause kept). */
export function toEnqueueError(error: unknown, job: Job, adapter: QueueAdapter): EnqueueError {
  if (error instanceof EnqueueError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const name = jobNameOf(job.constructor as JobClassSettings);
  return new EnqueueError(`${name} ${job.jobId} was not enqueued on the ${adapter.name} adapter: ${reason}`, { cause: error });
}

export interface RetryJobOptions extends SetOptions {
  /** The error that caused the retry (for the log line). */
  error?: unknown;
}

/**
 * Active Job's `retry_job`: enqueue the job again (the enqueue callbacks run, as in
 * Rails) with its current executions and exceptionExecutions. Always scheduled, so it
 * goes through the adapter's `enqueueAt`: without wait/waitUntil it is scheduled now.
 *
 * Resolves true when enqueued, false when an enqueue callback halted it (the job will
 * not run again; logged as a warning). Unlike Rails, an adapter failure is not
 * swallowed: it rejects with the EnqueueError, so a worker does not acknowledge a job
 * whose retry was lost.
 */
export async function retryJob(job: Job, options: RetryJobOptions = {}): Promise<boolean> {
  const { error, ...setOptions } = options;
  const scheduled: SetOptions = setOptions.wait === undefined && setOptions.waitUntil === undefined ? { ...setOptions, wait: 0 } : setOptions;
  const enqueued = await enqueueJob(job, scheduled);
  const logger = enqueueLogger(job);
  if (job.enqueueError) throw job.enqueueError;
  if (!enqueued) {
    logger.warn({ event: 'retry_halted', error: errorName(error) }, 'retry halted by an enqueue callback; the job will not run again');
    return false;
  }
  internalsOf(job).retried = true;
  // An expected retry, as Rails logs it: the error's class and message, not its stack (that at debug).
  // A continuation after an interruption is routine: info, not a warning.
  logger[error instanceof JobInterruptedError ? 'info' : 'warn'](
    {
      event: 'retried',
      ...(logger.isLevelEnabled('debug')
        ? { err: error }
        : { error_class: error instanceof Error ? error.constructor.name : typeof error, error_message: error instanceof Error ? error.message : undefined }),
      wait_ms: setOptions.wait,
      scheduled_at: job.scheduledAt?.toISOString(),
      retry_queue: job.queueName,
      exception_executions: job.exceptionExecutions,
    },
    'retried',
  );
  return true;
}
