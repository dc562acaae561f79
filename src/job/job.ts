import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import type { EnqueueError } from '../errors.js';
import { ConfiguredJob } from './configured-job.js';
import { applySetOptions, type SetOptions } from './set-options.js';
import { enqueueJob, performLater, retryJob, type RetryJobOptions } from './enqueuing.js';
import { abort, declareCallback, type AroundCallback, type JobCallback } from './callbacks.js';
import { declareAfterDiscard, declareDiscard, declareRescue, declareRetry, type JobErrorHandler, type RescueHandler, type RetryOptions } from './exceptions.js';
import { runJob, type PerformOutcome } from './execution.js';
import { newJobId } from './serialization.js';
import { executionSignal } from './job-signal.js';
import { executionLogger } from './logging.js';
import { freshInternals, internalsOf, provideInternals, type JobInternals, type JobProgress } from './internal-state.js';
import { instantiate, type ErrorClass, type JobClass, type PerformArgs, type PerformResult } from './job-class.js';
import { declarePriority, resolvePriority, type PrioritySetting } from './queue-priority.js';
import { runStep, type ResumeOptions, type StepBody, type StepOptions } from './continuation/continuable.js';
import type { JsonValue } from '../envelope/envelope.js';
import { ConfigurationError } from '../errors.js';
import type { ConcurrencyLimit, RateLimit } from './flow-limits.js';
import type { UniqueOptions } from './unique-job.js';
import { declareQueue, resolveQueueName, type QueueNameSetting } from './queue-name.js';

const neverAborted = new AbortController().signal;

/**
 * A background job, with Active Job's semantics. Subclass it, implement `perform`, and
 * declare configuration in a static block:
 *
 * ```ts
 * class SendEmailJob extends Job {
 *   static jobName = 'SendEmailJob';
 *   static {
 *     this.queueAs('mailers');
 *     this.retryOn(SmtpError, { attempts: 5, wait: 'polynomiallyLonger' });
 *   }
 *   async perform(userId: number, subject: string) { ... }
 * }
 * await SendEmailJob.performLater(42, 'hi');
 * ```
 *
 * Configuration is per class and inherited: a subclass gets its parent's callbacks,
 * rules, queue and priority; what it declares itself does not reach the parent.
 */
export abstract class Job {
  /**
   * The name written as `job_class` and looked up by workers. Default: the class name.
   * Not inherited: set it on each class whose name a bundler could rename.
   */
  declare static jobName: string | undefined;
  /** Perform timeout in ms: the signal aborts and the execution fails with JobTimeoutError. Default: none. Inherited. */
  static timeout: number | undefined = undefined;
  /** This class's queue adapter (and its subclasses'). Default: settings().adapter. */
  static adapter: QueueAdapter | undefined = undefined;
  /** Queue-name prefix for this class; null or '' disables it. Default: settings().queueNamePrefix (DEFAULTS.queueNamePrefix). */
  static queueNamePrefix: string | null | undefined = undefined;
  /** Delimiter between prefix and queue name. Default: settings().queueNameDelimiter (DEFAULTS.queueNameDelimiter). */
  static queueNameDelimiter: string | undefined = undefined;
  /**
   * The Rails that performs this class's jobs, when it is known: `'6.1'` makes performLater write
   * what Active Job 6.1 reads (a Decimal as a string, a RubyRange refused with SerializationError
   * at enqueue, not a DeserializationError in the Rails worker). Default: settings().railsCompatibility.
   */
  static railsCompatibility: '6.1' | '7.1' | undefined = undefined;

  // ---- continuable jobs (`this.step`), Rails 8.1's ActiveJob::Continuable settings ----

  /** How many times a continuable job may be resumed; past that it fails with ResumeLimitError. Default: unlimited. Inherited. */
  static maxResumptions: number | undefined = undefined;
  /** How a continuation is published: `{ wait, queue, priority }`. Default: `{ wait: 5_000 }` (Rails' 5 seconds). Inherited. */
  static resumeOptions: ResumeOptions | undefined = undefined;
  /**
   * An error raised after the run made progress (a step completed or a cursor moved) resumes the
   * job from there instead of going through the retry rules (Rails' default). Default: true. Inherited.
   */
  static resumeErrorsAfterAdvancing: boolean | undefined = undefined;
  /**
   * Whether a resumption counts in `executions` (Rails' rule: every run does). `false` keeps
   * `executions` to the runs that did not end in an interruption. retryOn's attempts count each
   * rule's own errors and are never affected. Default: true. Inherited.
   */
  static resumptionsCountAsExecutions: boolean | undefined = undefined;

  /**
   * At most `limit` jobs of this class with the same `key` (a function of the perform arguments)
   * run at once across every worker: `{ key: (accountId: number) => accountId, limit: 1 }`. Jobs
   * over the limit wait (published again a little later), never fail. Default: no limit. Inherited.
   */
  static concurrency: ConcurrencyLimit | undefined = undefined;

  /**
   * At most `limit` jobs of this class with the same `key` start in any `per` ms across every
   * worker: `{ key: (apiKey: string) => apiKey, limit: 100, per: 60_000 }`. Jobs over the limit are
   * published again for when a start is free, never failed. Default: no limit. Inherited.
   */
  static rateLimit: RateLimit | undefined = undefined;

  /**
   * One pending job per key: `{ key: (userId: number) => userId, until: 'executed', ttl: 3_600_000 }`.
   * A duplicate enqueue resolves with `successfullyEnqueued` false and a DuplicateJobError in
   * `enqueueError` (thrown with `onDuplicate: 'raise'`). Per call: `set({ unique: false })`. Default: none. Inherited.
   */
  static unique: UniqueOptions | undefined = undefined;

  // ---- class configuration: call these from a static block ----

  /** The queue: a name, or a function of the perform arguments (`this` = the job). Default: DEFAULTS.queueName. */
  static queueAs<J extends Job>(this: JobClass<J>, queue: QueueNameSetting<J>): void {
    declareQueue(this, queue);
  }

  /** The priority (lower = more important): a number, or a function of the perform arguments. Default: none. */
  static queueWithPriority<J extends Job>(this: JobClass<J>, priority: PrioritySetting<J>): void {
    declarePriority(this, priority);
  }

  static beforeEnqueue<J extends Job>(this: JobClass<J>, callback: JobCallback<J>): void {
    declareCallback(this, 'enqueue', 'before', callback);
  }

  static aroundEnqueue<J extends Job>(this: JobClass<J>, callback: AroundCallback<J>): void {
    declareCallback(this, 'enqueue', 'around', callback);
  }

  static afterEnqueue<J extends Job>(this: JobClass<J>, callback: JobCallback<J>): void {
    declareCallback(this, 'enqueue', 'after', callback);
  }

  static beforePerform<J extends Job>(this: JobClass<J>, callback: JobCallback<J>): void {
    declareCallback(this, 'perform', 'before', callback);
  }

  static aroundPerform<J extends Job>(this: JobClass<J>, callback: AroundCallback<J>): void {
    declareCallback(this, 'perform', 'around', callback);
  }

  static afterPerform<J extends Job>(this: JobClass<J>, callback: JobCallback<J>): void {
    declareCallback(this, 'perform', 'after', callback);
  }

  /** Handle errors of these classes with `handler` (a function with `this` = the job, or a method name). */
  static rescueFrom<J extends Job, E>(this: JobClass<J>, errors: ErrorClass<E> | readonly ErrorClass<E>[], handler: RescueHandler<J, E>): void {
    declareRescue(this, errors, handler);
  }

  /**
   * Retry on these errors (see RetryOptions for wait, attempts, jitter, queue, priority).
   * When attempts are exhausted the error propagates, unless `onGiveUp` is given: then
   * it is called and the job is discarded.
   */
  static retryOn<J extends Job, E>(
    this: JobClass<J>,
    errors: ErrorClass<E> | readonly ErrorClass<E>[],
    options: RetryOptions = {},
    onGiveUp?: JobErrorHandler<J, E>,
  ): void {
    declareRetry(this, errors, options, onGiveUp);
  }

  /** Drop the job on these errors, after calling `handler` if given. */
  static discardOn<J extends Job, E>(this: JobClass<J>, errors: ErrorClass<E> | readonly ErrorClass<E>[], handler?: JobErrorHandler<J, E>): void {
    declareDiscard(this, errors, handler);
  }

  /** Called when the job is discarded: by discardOn, when retryOn gives up, or on an unhandled error. */
  static afterDiscard<J extends Job>(this: JobClass<J>, callback: JobErrorHandler<J, unknown>): void {
    declareAfterDiscard(this, callback);
  }

  // ---- entry points ----

  /**
   * Enqueue a job with these arguments. Resolves with the job (jobId, providerJobId,
   * queueName, priority, scheduledAt, successfullyEnqueued). Rejects with EnqueueError
   * when the adapter refuses it, SerializationError for an unsupported argument.
   */
  static performLater<J extends Job>(this: JobClass<J>, ...args: PerformArgs<J>): Promise<J> {
    return performLater(instantiate(this, args));
  }

  /** Perform at once, in this process, with callbacks and the same error handling (retries go to the adapter). */
  static performNow<J extends Job>(this: JobClass<J>, ...args: PerformArgs<J>): Promise<PerformResult<J> | undefined> {
    return instantiate(this, args).performNow() as Promise<PerformResult<J> | undefined>;
  }

  /** Options for the next enqueue: `Job.set({ wait: 5_000, queue: 'urgent', priority: 1 }).performLater(...)`. */
  static set<J extends Job>(this: JobClass<J>, options: SetOptions): ConfiguredJob<J> {
    return new ConfiguredJob(this, options);
  }

  /** A typed, not yet enqueued job (for performAllLater): `SendEmailJob.build(42, 'hi')`. */
  static build<J extends Job>(this: JobClass<J>, ...args: PerformArgs<J>): J {
    return instantiate(this, args);
  }

  // ---- job state (Active Job's attributes) ----

  /** The perform arguments (deserialized during an execution). */
  arguments: unknown[];
  /** UUID v4 chosen when the job is created; stable across retries. */
  jobId: string = newJobId();
  /** The adapter's own id, when it gives one. */
  providerJobId: string | undefined = undefined;
  /** Times perform has started, this execution included. */
  executions = 0;
  /** Per retryOn rule, how many times its errors were raised (Active Job keys: `[ErrorName]`). */
  exceptionExecutions: Record<string, number> = {};
  /** Locale captured at enqueue (and current during perform). */
  locale: string | undefined = undefined;
  /** Timezone captured at enqueue (and current during perform). */
  timezone: string | undefined = undefined;
  enqueuedAt: Date | undefined = undefined;
  /** When the job may run, if it was delayed. */
  scheduledAt: Date | undefined = undefined;
  /** Whether the last enqueue was accepted by the adapter. */
  successfullyEnqueued = false;
  /** Why the last enqueue failed, when the adapter refused it. */
  enqueueError: EnqueueError | undefined = undefined;

  #queueName: string | undefined;
  #priority: { value: number | undefined } | undefined;
  /** warren's bookkeeping (internal-state.ts): a private field reads as fast as a property and no copy or deep equality sees it. */
  #internals: JobInternals | undefined;

  static {
    provideInternals((job) => (job.#internals ??= freshInternals()));
  }

  /** The arguments are passed to perform. Prefer the typed `MyJob.build(...)`. */
  constructor(...args: unknown[]) {
    this.arguments = args;
  }

  /** The work. Receives the arguments given to performLater/performNow/build. */
  abstract perform(...args: never[]): unknown;

  /** The queue name (prefix applied); resolved from the class on first read. */
  get queueName(): string {
    this.#queueName ??= resolveQueueName(this);
    return this.#queueName;
  }

  set queueName(name: string) {
    this.#queueName = name;
  }

  /** The priority (lower = more important), or undefined; resolved from the class on first read. */
  get priority(): number | undefined {
    this.#priority ??= { value: resolvePriority(this) };
    return this.#priority.value;
  }

  set priority(value: number | undefined) {
    this.#priority = { value };
  }

  /** Aborted when the worker shuts down or the job's timeout expires. */
  get signal(): AbortSignal {
    return executionSignal(internalsOf(this)) ?? neverAborted;
  }

  /**
   * Reports how far perform has got: a number (a percentage, say), a short text, or a small
   * JSON object. The worker's heartbeats carry the last value of each running job, and
   * `warren stats` and the dashboard show it; nothing is stored on the broker, so it is gone
   * when the job ends (like BullMQ's updateProgress, without its Redis write). Cheap: it sets a field.
   */
  progress(value: JobProgress): void {
    internalsOf(this).progress = value;
  }

  /** The value last passed to `progress()` during the current execution. */
  get currentProgress(): JobProgress | undefined {
    return internalsOf(this).progress;
  }

  /**
   * A step of a continuable job (Rails 8.1's `step`): runs `body` unless an earlier run of this
   * job completed the step; a step under way when the job stopped gets its cursor back. Given a
   * method name instead of a body, calls that method with the step. Steps must be met in the same
   * order on every run, and not nested. Code outside steps runs on every run.
   *
   * The job stops at a checkpoint (`step.set`, `step.advance`, `step.checkpoint`, the start of
   * the next step) when its worker shuts down or the delivery nears its queue's consumer timeout:
   * warren publishes it again with its progress (confirmed), then acknowledges this delivery.
   * `this.signal` aborts too, with a JobInterruptedError, so a long await can end early.
   */
  step<C extends JsonValue = JsonValue>(name: string, body: StepBody<C>, options?: StepOptions<C>): Promise<void>;
  step<C extends JsonValue = JsonValue>(name: string, options?: StepOptions<C>): Promise<void>;
  step<C extends JsonValue = JsonValue>(name: string, bodyOrOptions?: StepBody<C> | StepOptions<C>, options?: StepOptions<C>): Promise<void> {
    if (typeof bodyOrOptions === 'function') return runStep(this, name, bodyOrOptions, options);
    const method = (this as unknown as Record<string, unknown>)[name];
    if (typeof method !== 'function') {
      return Promise.reject(new ConfigurationError(`step '${name}' has no body and ${this.constructor.name} has no method of that name`));
    }
    return runStep(this, name, (step) => (method as (step: unknown) => unknown).call(this, step), bodyOrOptions);
  }

  /** How many times this job was resumed after an interruption (Rails' `resumptions`). */
  get resumptions(): number {
    return internalsOf(this).resumptions ?? 0;
  }

  /** During perform, a child logger bound to job_class, job_id, queue and executions. */
  get logger(): Logger {
    return executionLogger(this) ?? settings().logger;
  }

  /** Apply enqueue options to this job (for performAllLater); returns the job. */
  set(options: SetOptions): this {
    applySetOptions(this, options);
    return this;
  }

  /** Active Job's `enqueue`: true when enqueued; false when halted or refused (see enqueueError). */
  enqueue(options: SetOptions = {}): Promise<boolean> {
    return enqueueJob(this, options);
  }

  /** Perform this job now, in-process; resolves with what perform returned. */
  async performNow(): Promise<unknown> {
    const { value } = await new Promise<PerformOutcome>((ended, failed) => runJob(this, { logger: settings().logger }, { ended, failed }));
    return value;
  }

  /**
   * Enqueue this job again (from a rescueFrom handler, say). Scheduled now unless
   * wait/waitUntil say otherwise; see retryJob in job/enqueuing.ts.
   */
  retryJob(options: RetryJobOptions = {}): Promise<boolean> {
    return retryJob(this, options);
  }

  /** Halt the current callback chain (Rails' `throw :abort`); see abort(). */
  abort(reason?: string): never {
    throw abort(reason);
  }
}
