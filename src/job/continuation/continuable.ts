import { DEFAULTS } from '../../config/defaults.js';
import type { JsonValue } from '../../envelope/envelope.js';
import { ContinuationError, JobInterruptedError, ResumeLimitError, type InterruptReason } from '../../errors.js';
import { internalsOf, type JobInternals } from '../internal-state.js';
import { jobNameOf, type JobClassSettings } from '../job-class.js';
import { abortExecution } from '../job-signal.js';
import type { Job } from '../job.js';
import { logJobLine } from '../logging.js';
import { continuationHostOf, type ContinuationHost } from './continuation-host.js';
import { ContinuationState } from './continuation.js';
import type { CheckpointTarget, Step } from './step.js';

/** A step's body: gets the step (its cursor, its checkpoints). */
export type StepBody<C extends JsonValue> = (step: Step<C>) => unknown;

export interface StepOptions<C extends JsonValue> {
  /** The cursor a step starts with when it was not under way before. Default: null. */
  start?: C;
}

/** How a continuation is published (Rails' `resume_options`): a delay, and optionally another queue or priority. */
export interface ResumeOptions {
  /** Milliseconds before the continuation runs. Default: DEFAULTS.continuation.resumeWaitMs (Rails: 5 s). */
  wait?: number;
  queue?: string;
  priority?: number;
}

/** The class settings a continuable job reads (statics of Job, inherited). */
interface ContinuableSettings extends JobClassSettings {
  maxResumptions?: number | undefined;
  resumeOptions?: ResumeOptions | undefined;
  resumeErrorsAfterAdvancing?: boolean | undefined;
  resumptionsCountAsExecutions?: boolean | undefined;
}

/**
 * One run of a continuable job: its progress, the host that may ask it to stop and keeps its
 * checkpoints, and when progress was last saved. Built by the run's first `this.step` call,
 * so a job without steps never has one.
 */
export class ContinuationRun implements CheckpointTarget {
  readonly progress: ContinuationState;
  /** Set once the host asked the job to stop (the next checkpoint throws). */
  interruptRequested: InterruptReason | undefined;
  private lastSavedAt = performance.now();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly job: Job,
    private readonly host: ContinuationHost | undefined,
    saved: { continuation: ReturnType<ContinuationState['toWire']> | undefined },
  ) {
    this.progress = new ContinuationState(saved.continuation, this);
  }

  /** Listens for the host's stop request: the next checkpoint throws, and `job.signal` aborts with the same error. */
  watch(): void {
    if (!this.host) return;
    this.unwatch = this.host.onInterrupt((reason) => {
      this.interruptRequested = reason;
      logJobLine(this.job, 'info', { event: 'interrupt_requested', reason, step: this.progress.description }, 'asked to stop at the next checkpoint');
      abortExecution(internalsOf(this.job), this.interruption(reason));
    });
  }

  /** Stop here if asked to; otherwise save progress when the last save is old enough. */
  async checkpoint(): Promise<void> {
    const reason = this.interruptRequested ?? this.host?.interruptReason();
    if (reason) throw this.interruption(reason);
    if (this.host && performance.now() - this.lastSavedAt >= this.host.checkpointIntervalMs) await this.save();
  }

  /** After a step completed: progress is saved when the last save is old enough (no stop check: the next step's start does that). */
  async stepCompleted(): Promise<void> {
    if (this.host && performance.now() - this.lastSavedAt >= this.host.checkpointIntervalMs) await this.save();
  }

  private async save(): Promise<void> {
    this.lastSavedAt = performance.now();
    await this.host!.saveCheckpoint({ continuation: this.progress.toWire(), resumptions: internalsOf(this.job).resumptions ?? 0 });
  }

  interruption(reason: InterruptReason): JobInterruptedError {
    return new JobInterruptedError(`Interrupted ${this.progress.description} (${reason})`, reason);
  }

  /** The run ended: stop listening; the checkpoint goes unless shutdown abandoned the delivery (it is delivered again). */
  finish(abandoned: boolean): void {
    this.unwatch?.();
    this.unwatch = undefined;
    if (!abandoned) this.host?.discardCheckpoint();
  }
}

/**
 * `this.step(name, body, { start })`: runs the step unless an earlier run completed it, with its
 * cursor restored when it was under way (Rails 8.1's `Continuable#step`). Before each step but
 * the first of a run that already advanced, a checkpoint.
 */
export async function runStep<C extends JsonValue>(job: Job, name: string, body: StepBody<C>, options: StepOptions<C> = {}): Promise<void> {
  const run = await continuationRun(job);
  const { progress } = run;
  if (progress.advanced) await run.checkpoint();
  progress.enter(name);
  if (progress.isCompleted(name)) {
    logJobLine(job, 'debug', { event: 'step_skipped', step: name }, 'step skipped: completed in an earlier run');
    return;
  }
  const step = progress.begin<C>(name, options.start);
  logJobLine(job, 'debug', { event: 'step_started', step: name, resumed: step.resumed, cursor: step.cursor }, 'step started');
  try {
    await body(step);
  } catch (error) {
    progress.leave();
    throw error;
  }
  progress.complete();
  logJobLine(job, 'debug', { event: 'step_completed', step: name }, 'step completed');
  await run.stepCompleted();
}

/** The run's continuation, built at its first step: from a crash checkpoint when there is one, else from the envelope. */
function continuationRun(job: Job): Promise<ContinuationRun> | ContinuationRun {
  const state = internalsOf(job);
  if (state.continuation) return state.continuation;
  state.continuationStarting ??= startContinuation(job, state);
  return state.continuationStarting;
}

async function startContinuation(job: Job, state: JobInternals): Promise<ContinuationRun> {
  const host = continuationHostOf(state.deliveringAdapter);
  let continuation = state.receivedContinuation;
  let resumptions = state.resumptions ?? 0;
  const checkpoint = host ? await host.loadCheckpoint() : undefined;
  if (checkpoint) {
    continuation = checkpoint.continuation;
    resumptions = checkpoint.resumptions;
  }
  const run = new ContinuationRun(job, host, { continuation });
  if (run.progress.started) {
    resumptions += 1;
    logJobLine(
      job,
      'info',
      { event: 'resumed', step: run.progress.description, resumptions, from: checkpoint ? 'checkpoint' : 'envelope' },
      checkpoint ? 'resumed from the checkpoint of a run that did not finish' : 'resumed',
    );
  }
  state.resumptions = resumptions;
  // `this.signal` must be abortable from here on, even in a process that gave the job no signal.
  state.needsController = true;
  state.continuation = run;
  state.continuationStarting = undefined;
  run.watch();
  return run;
}

/**
 * The resume rule, before the job's own rules (Rails' `Continuable#continue`): an interruption,
 * or (with `resumeErrorsAfterAdvancing`, the default) an error after the run made progress,
 * publishes the job again with its progress (`retryJob` with the class's `resumeOptions`).
 * Resolves with 'retried' (or 'discarded' when an enqueue callback halted it), with a
 * ResumeLimitError when `maxResumptions` is reached (it then goes through the rules like any
 * error), or undefined when the rule does not apply.
 */
export async function resumeAfter(job: Job, run: ContinuationRun, error: unknown): Promise<'retried' | 'discarded' | ResumeLimitError | undefined> {
  const settings = job.constructor as ContinuableSettings;
  const interrupted = error instanceof JobInterruptedError || run.interruptRequested !== undefined;
  const resumable = interrupted || ((settings.resumeErrorsAfterAdvancing ?? true) && run.progress.advanced && !(error instanceof ContinuationError));
  if (!resumable) return undefined;
  const resumptions = internalsOf(job).resumptions ?? 0;
  const max = settings.maxResumptions;
  if (max !== undefined && resumptions >= max) {
    return new ResumeLimitError(`${jobNameOf(settings)} ${job.jobId} was resumed ${resumptions} times, its maxResumptions (${max})`, { cause: error });
  }
  const reason = error instanceof JobInterruptedError ? error.reason : (run.interruptRequested ?? 'error');
  logJobLine(
    job,
    'info',
    { event: 'interrupted', reason, step: run.progress.description, resumptions },
    'interrupted: its progress is published as a continuation',
  );
  if (settings.resumptionsCountAsExecutions === false) job.executions -= 1;
  const options = settings.resumeOptions ?? {};
  const enqueued = await job.retryJob({ wait: options.wait ?? DEFAULTS.continuation.resumeWaitMs, queue: options.queue, priority: options.priority, error });
  return enqueued ? 'retried' : 'discarded';
}

/** Called once when an execution that used steps ends; keeps the progress on the job for a later run of the same object. */
export function finishContinuation(state: JobInternals, abandoned: boolean): void {
  const run = state.continuation;
  if (!run) return;
  run.finish(abandoned);
  state.receivedContinuation = run.progress.toWire();
  state.continuation = undefined;
}
