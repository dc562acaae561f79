import type { Logger } from 'pino';
import type { EnqueueReceipt, QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import type { Envelope } from '../envelope/envelope.js';
import { hasCallbacks, runCallbacks } from '../job/callbacks.js';
import type { Job } from '../job/job.js';
import { argumentFields, executionLogger, jobLogger, logJobLine } from '../job/logging.js';
import { adapterFor } from './adapter-for.js';
import { toEnqueueError } from './enqueue-error.js';
import { prepareEnvelope } from './prepare-envelope.js';
import { enqueuedFrom } from './enqueued-from.js';
import { applySetOptions, type SetOptions } from './set-options.js';

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
  const envelope = prepareEnvelope(job);
  try {
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
    job.enqueueError = toEnqueueError(error, job, adapter);
    logJobLine(job, 'error', { event: 'enqueue_failed', adapter: adapter.name, err: job.enqueueError }, 'enqueue failed');
  }
}

/**
 * `performLater`: enqueue and return the job. Throws its EnqueueError when the adapter
 * refused it; a job halted by a callback is returned with successfullyEnqueued = false.
 */
export async function performLater<J extends Job>(job: J, options: SetOptions = {}): Promise<J> {
  await enqueueJob(job, options);
  if (job.enqueueError) throw job.enqueueError;
  return job;
}

function send(adapter: QueueAdapter, envelope: Envelope, scheduledAt: Date | undefined): Promise<EnqueueReceipt> {
  return scheduledAt ? adapter.enqueueAt(envelope, scheduledAt.getTime()) : adapter.enqueue(envelope);
}

/** During an execution (retries) the execution's logger; otherwise a child of the configured logger. */
export function enqueueLogger(job: Job): Logger {
  return executionLogger(job) ?? jobLogger(settings().logger, job);
}
