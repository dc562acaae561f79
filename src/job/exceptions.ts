import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import { retryDelay, type RetryWait } from './backoff.js';
import { appendOwn, configKey, inheritedList } from './class-config.js';
import { internalsOf } from './internal-state.js';
import type { ErrorClass, JobMethodName } from './job-class.js';
import type { Job } from './job.js';

/**
 * rescueFrom / retryOn / discardOn / afterDiscard, with Active Job's semantics:
 * - Rules are searched most recently declared first, the subclass's before its
 *   parent's; the first rule whose error class matches (`instanceof`) handles the error.
 *   When no rule matches the error, its `cause` chain is searched the same way
 *   (ActiveSupport::Rescuable).
 * - retryOn counts executions per rule in `exceptionExecutions` under Active Job's key,
 *   the class names in brackets (`[SmtpError]`, `[TimeoutError, SmtpError]`).
 * - afterDiscard callbacks run when a discardOn rule handles an error, when retryOn
 *   gives up, and when an error is not handled at all (then the error still propagates).
 */
export type RuleOutcome = 'rescued' | 'retried' | 'discarded';

/** A rescueFrom handler: a function (`this` is the job) or the name of a job method taking the error. */
export type RescueHandler<J extends Job, E> = ((this: J, error: E, job: J) => unknown) | JobMethodName<J>;

/** Called with the job and the error (discardOn handlers, retryOn's give-up handler, afterDiscard). */
export type JobErrorHandler<J extends Job, E> = (job: J, error: E) => unknown;

export interface RetryOptions {
  /**
   * Delay before each retry: milliseconds, a function of the rule's execution count
   * returning milliseconds, or 'polynomiallyLonger' ((n^4 + 2) s plus jitter).
   * Default: DEFAULTS.retryWaitMs.
   */
  wait?: RetryWait;
  /** Executions allowed for this rule's errors (the first one included), or 'unlimited'. Default: DEFAULTS.retryAttempts. */
  attempts?: number | 'unlimited';
  /** Random extra delay as a fraction of the wait (0.15 = up to 15%); not applied to function waits. Default: DEFAULTS.retryJitter. */
  jitter?: number;
  /** Queue for the retries (the queue-name prefix applies). Default: the job's queue. */
  queue?: string;
  /** Priority for the retries. Default: the job's priority. */
  priority?: number;
}

interface RescueRule {
  errorClasses: readonly ErrorClass<unknown>[];
  handle(job: Job, error: unknown): Promise<RuleOutcome>;
}

const rulesKey = configKey<RescueRule>('exceptions.rules');
const afterDiscardKey = configKey<JobErrorHandler<Job, unknown>>('exceptions.afterDiscard');

function toList<E>(errors: ErrorClass<E> | readonly ErrorClass<E>[]): readonly ErrorClass<unknown>[] {
  const list = Array.isArray(errors) ? (errors as readonly ErrorClass<E>[]) : [errors as ErrorClass<E>];
  if (list.length === 0 || list.some((e) => typeof e !== 'function')) {
    throw new ConfigurationError('expected an error class or a non-empty list of error classes');
  }
  return list;
}

/** Active Job's exception_executions key: `[A, B]`. */
export function exceptionExecutionsKey(errorClasses: readonly ErrorClass<unknown>[]): string {
  return `[${errorClasses.map((e) => e.name).join(', ')}]`;
}

export function declareRescue<J extends Job, E>(jobClass: object, errors: ErrorClass<E> | readonly ErrorClass<E>[], handler: RescueHandler<J, E>): void {
  if (typeof handler !== 'function' && typeof handler !== 'string') {
    throw new ConfigurationError('rescueFrom expects a handler function or a method name');
  }
  appendOwn(jobClass, rulesKey, {
    errorClasses: toList(errors),
    async handle(job, error) {
      if (typeof handler === 'string') {
        await (job as unknown as Record<string, (e: unknown) => unknown>)[handler]!(error);
      } else {
        await handler.call(job as J, error as E, job as J);
      }
      return internalsOf(job).retried ? 'retried' : 'rescued';
    },
  });
}

export function declareRetry<J extends Job, E>(
  jobClass: object,
  errors: ErrorClass<E> | readonly ErrorClass<E>[],
  options: RetryOptions,
  onGiveUp?: JobErrorHandler<J, E>,
): void {
  const errorClasses = toList(errors);
  const key = exceptionExecutionsKey(errorClasses);
  const wait = options.wait ?? DEFAULTS.retryWaitMs;
  const attempts = options.attempts ?? DEFAULTS.retryAttempts;
  const jitter = options.jitter ?? DEFAULTS.retryJitter;
  validateRetryOptions(wait, attempts, jitter);
  appendOwn(jobClass, rulesKey, {
    errorClasses,
    async handle(job, error) {
      const count = (job.exceptionExecutions[key] ?? 0) + 1;
      job.exceptionExecutions[key] = count;
      if (attempts === 'unlimited' || count < attempts) {
        const waitMs = retryDelay(wait, count, jitter);
        const enqueued = await job.retryJob({ wait: waitMs, queue: options.queue, priority: options.priority, error });
        return enqueued ? 'retried' : 'discarded';
      }
      if (onGiveUp) {
        await onGiveUp(job as J, error as E);
        await runAfterDiscard(job, error);
        return 'discarded';
      }
      await runAfterDiscard(job, error);
      throw error;
    },
  });
}

export function declareDiscard<J extends Job, E>(jobClass: object, errors: ErrorClass<E> | readonly ErrorClass<E>[], handler?: JobErrorHandler<J, E>): void {
  appendOwn(jobClass, rulesKey, {
    errorClasses: toList(errors),
    async handle(job, error) {
      if (handler) await handler(job as J, error as E);
      await runAfterDiscard(job, error);
      return 'discarded';
    },
  });
}

export function declareAfterDiscard<J extends Job>(jobClass: object, callback: JobErrorHandler<J, unknown>): void {
  if (typeof callback !== 'function') throw new ConfigurationError('afterDiscard expects a function');
  appendOwn(jobClass, afterDiscardKey, callback as JobErrorHandler<Job, unknown>);
}

/**
 * Apply the job's rules to `error`. Resolves with what the matching rule did, or
 * undefined when no rule matches. Rejects with the job's error when retries are
 * exhausted (afterDiscard callbacks have run), or with whatever a handler threw.
 */
export async function handleError(job: Job, error: unknown): Promise<RuleOutcome | undefined> {
  const rules = inheritedList(job.constructor, rulesKey);
  const seen = new Set<unknown>();
  for (let candidate: unknown = error; candidate !== undefined && !seen.has(candidate); candidate = causeOf(candidate)) {
    seen.add(candidate);
    const rule = findRule(rules, candidate);
    if (rule) return rule.handle(job, candidate);
  }
  return undefined;
}

function findRule(rules: readonly RescueRule[], error: unknown): RescueRule | undefined {
  for (let i = rules.length - 1; i >= 0; i -= 1) {
    const rule = rules[i]!;
    if (rule.errorClasses.some((errorClass) => error instanceof errorClass)) return rule;
  }
  return undefined;
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

/** Run every afterDiscard callback (parent's first); if any threw, rethrow the last error (Rails). */
export async function runAfterDiscard(job: Job, error: unknown): Promise<void> {
  const failures: unknown[] = [];
  for (const callback of inheritedList(job.constructor, afterDiscardKey)) {
    try {
      await callback(job, error);
    } catch (failure) {
      failures.push(failure);
    }
  }
  if (failures.length > 0) throw failures[failures.length - 1];
}

function validateRetryOptions(wait: RetryWait, attempts: number | 'unlimited', jitter: number): void {
  const waitOk = wait === 'polynomiallyLonger' || typeof wait === 'function' || (typeof wait === 'number' && Number.isFinite(wait) && wait >= 0);
  if (!waitOk) throw new ConfigurationError(`retryOn: wait must be milliseconds >= 0, a function or 'polynomiallyLonger' (got ${String(wait)})`);
  if (attempts !== 'unlimited' && !(Number.isInteger(attempts) && attempts >= 1)) {
    throw new ConfigurationError(`retryOn: attempts must be an integer >= 1 or 'unlimited' (got ${String(attempts)})`);
  }
  if (!(Number.isFinite(jitter) && jitter >= 0)) throw new ConfigurationError(`retryOn: jitter must be a number >= 0 (got ${jitter})`);
}
