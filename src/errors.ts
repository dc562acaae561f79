/**
 * Every error warren raises is a small named class, so callers match with
 * `instanceof` (or `error.code`), never by message text.
 */
export class WarrenError extends Error {
  /** Stable, machine-readable code, also written into dead-letter headers. */
  readonly code: string = 'WARREN_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The broker refused the connection in a way retrying will not fix: a refused login (user,
 * password, virtual host) or a failed TLS verification. `Worker.start()` rejects with it
 * unless told to keep retrying (`retryRefusedConnection`).
 */
export class ConnectionRefusedError extends WarrenError {
  override readonly code: string = 'CONNECTION_REFUSED';
}

/** A delayed job fell due but names no queue, or its queue no longer exists: dead-lettered as `undeliverable`. */
export class UndeliverableJobError extends WarrenError {
  override readonly code: string = 'UNDELIVERABLE_JOB';
}

/** A job could not be enqueued (adapter refused, broker nacked, unroutable, timeout). */
export class EnqueueError extends WarrenError {
  override readonly code: string = 'ENQUEUE_ERROR';
}

/** An argument cannot be written in Active Job's wire format. Raised at enqueue time. */
export class SerializationError extends WarrenError {
  override readonly code: string = 'SERIALIZATION_ERROR';
}

/**
 * An argument cannot be read back: malformed value, unknown serializer, a GlobalID
 * of an unregistered model, or a record that no longer exists.
 * `discardOn(DeserializationError)` is the usual way to drop jobs whose records are gone.
 */
export class DeserializationError extends WarrenError {
  override readonly code: string = 'DESERIALIZATION_ERROR';
}

/** A message body could not be decoded into an envelope (bad JSON/protobuf, missing fields, unknown version). */
export class EnvelopeError extends WarrenError {
  override readonly code: string = 'ENVELOPE_ERROR';
}

/** A job or handler name that the application did not register. */
export class UnknownJobError extends WarrenError {
  override readonly code: string = 'UNKNOWN_JOB';
  constructor(readonly jobName: string) {
    super(`unknown job "${jobName}": it is not in the job registry (register it with registry.register(...))`);
  }
}

/** A job class or handler name registered twice, or an invalid registration. */
export class RegistrationError extends WarrenError {
  override readonly code: string = 'REGISTRATION_ERROR';
}

/** An adapter was asked for something it cannot do (for example, a delay on the inline adapter). */
export class AdapterError extends WarrenError {
  override readonly code: string = 'ADAPTER_ERROR';
}

/** A topology file is invalid, or the broker's topology differs from it. */
export class TopologyError extends WarrenError {
  override readonly code: string = 'TOPOLOGY_ERROR';
}

/** Invalid configuration (options, URLs, TLS files). */
export class ConfigurationError extends WarrenError {
  override readonly code: string = 'CONFIGURATION_ERROR';
}

/** A perform that ran past its `timeout`; the AbortSignal given to perform was aborted too. */
export class JobTimeoutError extends WarrenError {
  override readonly code: string = 'JOB_TIMEOUT';
}

/**
 * The reason `job.signal` carries when an operator cancelled the running job (`warren workers
 * cancel`, the dashboard, `WorkerControl.cancel`). Nothing else happens to the job: it decides
 * what cancelling means (stop and return, or throw; `discardOn(JobCancelledError)` drops it,
 * otherwise its rules apply as to any error).
 */
export class JobCancelledError extends WarrenError {
  override readonly code: string = 'JOB_CANCELLED';
}

/**
 * A message's signature is missing, names an unknown key, or does not match its body (see
 * signed envelopes in schemas/README.md). The worker dead-letters such messages unread.
 */
export class SignatureError extends WarrenError {
  override readonly code: string = 'SIGNATURE_ERROR';
}

/**
 * The broker returned a published job as unroutable: no queue is bound for its exchange and
 * routing key (the broker acks such a message and drops it; warren publishes `mandatory` to know).
 */
export class UnroutableError extends EnqueueError {
  override readonly code: string = 'UNROUTABLE';
}

/**
 * The AMQP client could not encode the message (amqplib refuses a header table over 64 KiB):
 * nothing was sent. Thrown for a publish, never retried as it is.
 */
export class UnencodableMessageError extends EnqueueError {
  override readonly code: string = 'UNENCODABLE_MESSAGE';
}

/**
 * Raised by a continuable job's checkpoint (`step.set`, `step.advance`, `step.checkpoint`, the
 * start of a step) when the worker asks it to stop: the worker is shutting down, or the delivery
 * is close to the broker's consumer timeout. warren catches it before any rescue rule sees it,
 * publishes the job again with its progress and acknowledges the original (Rails 8.1's
 * `ActiveJob::Continuation::Interrupt`). A job's code should let it pass.
 */
export class JobInterruptedError extends WarrenError {
  override readonly code: string = 'JOB_INTERRUPTED';
  constructor(
    message: string,
    /** Why the worker asked the job to stop. */
    readonly reason: InterruptReason,
  ) {
    super(message);
  }
}

/** `stopping`: the worker is shutting down; `consumer-timeout`: the delivery nears the queue's consumer timeout. */
export type InterruptReason = 'stopping' | 'consumer-timeout';

/** A continuable job's steps are used wrongly (Rails' `Continuation::Error` family); not retried by the resume rules. */
export class ContinuationError extends WarrenError {
  override readonly code: string = 'CONTINUATION_ERROR';
}

/** A step name repeated, nested in another step, or met out of the order its progress records (Rails' InvalidStepError). */
export class InvalidStepError extends ContinuationError {
  override readonly code: string = 'INVALID_STEP';
}

/** `step.advance()` on a cursor that is not a number or a bigint (Rails' UnadvanceableCursorError). */
export class UnadvanceableCursorError extends ContinuationError {
  override readonly code: string = 'UNADVANCEABLE_CURSOR';
}

/** The job was interrupted more often than its class's `maxResumptions` allows (Rails' ResumeLimitError). */
export class ResumeLimitError extends ContinuationError {
  override readonly code: string = 'RESUME_LIMIT';
}

/**
 * A job was not enqueued because a job with the same unique key is pending (or running, with
 * `until: 'executed'`). `performLater` resolves with the job (`successfullyEnqueued` false, this
 * error in `enqueueError`) unless the class asks for it to be thrown (`unique.onDuplicate: 'raise'`).
 */
export class DuplicateJobError extends EnqueueError {
  override readonly code: string = 'DUPLICATE_JOB';
}

/**
 * A recurring schedule is not valid (a cron expression croner cannot read, an unknown time zone,
 * an interval that is not a duration, two schedules with one name): raised where the schedules
 * are given (`new Worker({ schedules })`, `loadSchedules`, `warren schedule`), before anything runs.
 */
export class ScheduleError extends WarrenError {
  override readonly code: string = 'SCHEDULE';
}
