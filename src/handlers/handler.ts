import type { Logger } from 'pino';
import type { RetryOptions } from '../job/exceptions.js';
import type { ErrorClass } from '../job/job-class.js';

/**
 * Named handlers, modeled on Buffalo's worker (`w.Register("send_email", func(args worker.Args) error)`):
 * a function registered under a name, performed with one map of named arguments.
 *
 * Glossary: a *handler* is the function; a *handler job* is one call of it, enqueued with
 * `perform`/`performIn`/`performAt`. On the wire a handler job is an ordinary envelope:
 * `job_class` is the handler name and `arguments` holds exactly one hash, the args
 * (Buffalo's `worker.Args`), serialized like any Active Job argument.
 */

/** Buffalo's `worker.Args`: the named arguments of a handler job. Values: anything warren's arguments support. */
export type HandlerArgs = Record<string, unknown>;

/** What a handler sees besides its args: the job's identity and the execution's signal and logger. */
export interface HandlerContext {
  /** The handler name (the envelope's job_class). */
  readonly handler: string;
  /** The job id; stable across retries. */
  readonly jobId: string;
  /** The queue the job was delivered from. */
  readonly queue: string;
  /** Active Job priority (lower = more important), when the job has one. */
  readonly priority: number | undefined;
  /** Times perform has started for this job, this execution included (1 on the first run). */
  readonly executions: number;
  /** The locale captured at enqueue, also current (currentLocale()) while the handler runs. */
  readonly locale: string | undefined;
  /** The timezone captured at enqueue, also current (currentTimezone()) while the handler runs. */
  readonly timezone: string | undefined;
  readonly enqueuedAt: Date | undefined;
  /** When the job was due, if it was delayed. */
  readonly scheduledAt: Date | undefined;
  /** Aborted when the worker shuts down or the handler's timeout expires. */
  readonly signal: AbortSignal;
  /** A child logger bound to the handler name, job id, queue and executions. */
  readonly logger: Logger;
}

/**
 * A handler: resolves when the work is done, throws (or rejects) when it failed. A failure
 * goes through the handler's `retry`/`discard` options; with none, or once retries are
 * exhausted, the worker moves the job to the dead letters.
 */
export type Handler<A extends HandlerArgs = HandlerArgs> = (args: A, context: HandlerContext) => unknown;

/** A handler's retry rule: Active Job's `retryOn`, with the error classes given as `on`. */
export interface HandlerRetryOptions extends RetryOptions {
  /**
   * Errors that are retried. Default: `Error` (every error). A DeserializationError (bad
   * args, a GlobalID whose record is gone) is never retried: it goes to the dead letters,
   * unless `discard` lists it.
   */
  on?: ErrorClass<unknown> | readonly ErrorClass<unknown>[];
}

/** Options of `HandlerWorker#register`. */
export interface HandlerOptions {
  /**
   * The queue `perform` uses when the job names none (the queue-name prefix applies, as for
   * job classes), and one of the queues `start()` consumes by default. Default: DEFAULTS.queueName.
   */
  queue?: string;
  /** Retry failed jobs (see HandlerRetryOptions for the defaults). Default: no retry; a failure is dead-lettered. */
  retry?: HandlerRetryOptions;
  /** Errors that drop the job without retrying or dead-lettering it. Default: none. */
  discard?: ErrorClass<unknown> | readonly ErrorClass<unknown>[];
  /** Perform timeout in ms: the context's signal aborts and the execution fails with JobTimeoutError. Default: none. */
  timeout?: number;
}

/** Buffalo's `worker.Job`: which handler to run, on which queue, with which args. */
export interface HandlerJob<A extends HandlerArgs = HandlerArgs> {
  /** The registered handler name. */
  handler: string;
  /** Named arguments: a plain object. Default: `{}`. */
  args?: A;
  /** Queue (the queue-name prefix applies). Default: the handler's `queue` option, else DEFAULTS.queueName. */
  queue?: string;
  /** Active Job priority, lower = more important. Default: none. */
  priority?: number;
}

/** A handler job the adapter accepted (for RabbitMQ: confirmed by the broker). */
export interface EnqueuedHandlerJob {
  readonly handler: string;
  readonly jobId: string;
  /** The queue name, prefix applied. */
  readonly queue: string;
  readonly priority: number | undefined;
  /** When the job is due, for performIn/performAt. */
  readonly scheduledAt: Date | undefined;
}
