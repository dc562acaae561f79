import { randomUUID } from 'node:crypto';
import { ENVELOPE_VERSION, type Envelope, type JsonValue } from '../envelope/envelope.js';
import { fromEnvelopeTime, toRailsTimestamp } from '../envelope/timestamps.js';
import { internalsOf } from './internal-state.js';
import { jobNameOf, instantiate, type JobClass, type JobClassSettings } from './job-class.js';
import type { Job } from './job.js';

/**
 * Job <-> envelope, with Active Job's keys (ActiveJob::Core#serialize / #deserialize).
 * `arguments` must already be serialized; locale, timezone and enqueuedAt must be set.
 */
export function envelopeFor(job: Job, serializedArguments: JsonValue[]): Envelope {
  const envelope: Envelope = {
    job_class: jobNameOf(job.constructor as JobClassSettings),
    job_id: job.jobId,
    provider_job_id: job.providerJobId ?? null,
    queue_name: job.queueName,
    priority: job.priority ?? null,
    arguments: serializedArguments,
    executions: job.executions,
    exception_executions: { ...job.exceptionExecutions },
    locale: job.locale ?? '',
    timezone: job.timezone ?? '',
    enqueued_at: toRailsTimestamp(job.enqueuedAt ?? new Date()),
    scheduled_at: job.scheduledAt ? toRailsTimestamp(job.scheduledAt) : null,
    envelope_version: ENVELOPE_VERSION,
  };
  // Rails 8.1 Continuable's keys, only for a job that has progress (plain envelopes stay as they were).
  const state = internalsOf(job);
  const continuation = state.continuation?.progress.toWire() ?? state.receivedContinuation;
  if (continuation) envelope.continuation = continuation;
  if (continuation || state.resumptions !== undefined) envelope.resumptions = state.resumptions ?? 0;
  return envelope;
}

/**
 * A job of `jobClass` holding an envelope's state. Its arguments stay serialized until
 * perform starts (so a DeserializationError goes through the job's rescue rules), and
 * retries re-send them verbatim. Fields a Rails envelope may lack get Active Job's defaults.
 */
export function jobFromEnvelope<J extends Job>(jobClass: JobClass<J>, envelope: Envelope): J {
  const job = withJobId(envelope.job_id, () => instantiate(jobClass, []));
  job.providerJobId = envelope.provider_job_id ?? undefined;
  job.queueName = envelope.queue_name;
  job.priority = envelope.priority ?? undefined;
  job.executions = typeof envelope.executions === 'number' ? envelope.executions : 0;
  job.exceptionExecutions = { ...(envelope.exception_executions ?? {}) };
  job.locale = envelope.locale || undefined;
  job.timezone = envelope.timezone || undefined;
  job.enqueuedAt = fromEnvelopeTime(envelope.enqueued_at);
  job.scheduledAt = fromEnvelopeTime(envelope.scheduled_at);
  const state = internalsOf(job);
  state.receivedArguments = Array.isArray(envelope.arguments) ? envelope.arguments : [];
  state.argumentsDeserialized = false;
  if (envelope.continuation) state.receivedContinuation = envelope.continuation;
  if (envelope.resumptions !== undefined) state.resumptions = envelope.resumptions;
  return job;
}

let preset: string | undefined;

/**
 * The id a Job being constructed gets (its `jobId` field initializer): a fresh UUID v4, or,
 * while `withJobId` builds a job from an envelope, the envelope's id, so the worker does not
 * make (and throw away) a UUID per delivery.
 */
export function newJobId(): string {
  const id = preset ?? randomUUID();
  preset = undefined;
  return id;
}

/** Runs `build` (which constructs one job) so that job gets `id` as its jobId. */
export function withJobId<T>(id: string, build: () => T): T {
  preset = id;
  try {
    return build();
  } finally {
    preset = undefined;
  }
}
