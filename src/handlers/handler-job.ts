import type { QueueAdapter } from '../adapters/adapter.js';
import { DeserializationError, RegistrationError } from '../errors.js';
import { Job } from '../job/job.js';
import type { ErrorClass, JobClass } from '../job/job-class.js';
import type { Handler, HandlerArgs, HandlerContext, HandlerOptions } from './handler.js';

/** AMQP's `type` property (a short string) carries the name: at most 255 bytes. */
const MAX_HANDLER_NAME_BYTES = 255;

/**
 * The job class behind one named handler. A handler job is a Job like any other, so it
 * gets the same envelope, argument serialization, locale/timezone, callbacks, retries
 * (through the adapter's enqueueAt), timeout and dead letters; only `perform` differs: it
 * takes the single args hash off the envelope and calls the handler with it.
 */
export abstract class NamedHandlerJob extends Job {
  /** The registered function; set on each generated subclass. */
  static handler: Handler;

  async perform(...received: unknown[]): Promise<unknown> {
    const jobClass = this.constructor as typeof NamedHandlerJob;
    return jobClass.handler(argsOf(jobClass.jobName ?? '', received), contextOf(this, jobClass.jobName ?? ''));
  }
}

/**
 * A handler job carries exactly one argument, a hash (Buffalo's Args map); none at all
 * is read as `{}`. Anything else was not written by a handler producer: it fails with a
 * DeserializationError (dead-lettered with reason "deserialization").
 */
function argsOf(name: string, received: readonly unknown[]): HandlerArgs {
  if (received.length === 0) return {};
  const [args] = received;
  if (received.length === 1 && isPlainArgs(args)) return args;
  throw new DeserializationError(
    `handler "${name}" takes one argument, a hash of named arguments; the job has ${received.length} argument(s)` +
      (received.length === 1 ? ` of type ${describeType(args)}` : ''),
  );
}

export function isPlainArgs(value: unknown): value is HandlerArgs {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

function contextOf(job: Job, handler: string): HandlerContext {
  return {
    handler,
    jobId: job.jobId,
    queue: job.queueName,
    priority: job.priority,
    executions: job.executions,
    locale: job.locale,
    timezone: job.timezone,
    enqueuedAt: job.enqueuedAt,
    scheduledAt: job.scheduledAt,
    signal: job.signal,
    // Built on first read: a pino child per job costs more than most handlers' own log lines.
    get logger() {
      return job.logger;
    },
  };
}

function errorList(errors: ErrorClass<unknown> | readonly ErrorClass<unknown>[]): readonly ErrorClass<unknown>[] {
  return Array.isArray(errors) ? (errors as readonly ErrorClass<unknown>[]) : [errors as ErrorClass<unknown>];
}

/** A generated handler job class: concrete, with Job's static entry points. */
export type HandlerJobClass = JobClass<NamedHandlerJob> & typeof NamedHandlerJob;

/** Throws RegistrationError unless `name` can be a handler name. */
export function assertHandlerName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new RegistrationError(`a handler name must be a non-empty string (got ${JSON.stringify(name) ?? String(name)})`);
  }
  if (Buffer.byteLength(name, 'utf8') > MAX_HANDLER_NAME_BYTES) {
    throw new RegistrationError(`handler name "${name.slice(0, 40)}..." is longer than ${MAX_HANDLER_NAME_BYTES} bytes`);
  }
}

/**
 * A job class named `name` that performs `handler` with `options` (queue, retry,
 * discard, timeout), enqueued through `adapter`.
 */
export function defineHandlerJob(name: string, handler: Handler, options: HandlerOptions, adapter: QueueAdapter): HandlerJobClass {
  assertHandlerName(name);
  if (typeof handler !== 'function') throw new RegistrationError(`handler "${name}" must be a function`);
  const jobClass = class extends NamedHandlerJob {
    static override jobName = name;
    static override handler = handler;
    static override adapter: QueueAdapter | undefined = adapter;
    static override timeout: number | undefined = options.timeout;
  };
  Object.defineProperty(jobClass, 'name', { value: `handler(${name})` });
  if (options.queue !== undefined) jobClass.queueAs(options.queue);
  if (options.retry) {
    const { on = Error, ...retryOptions } = options.retry;
    jobClass.retryOn(errorList(on), retryOptions);
    // Declared after the retry rule, so it is matched first: bad args or a missing record
    // will not get better by waiting, so they are never retried.
    jobClass.rescueFrom(DeserializationError, (error: DeserializationError) => {
      throw error;
    });
  }
  if (options.discard) jobClass.discardOn(errorList(options.discard));
  return jobClass;
}
