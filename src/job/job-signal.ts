import type { JobInternals } from './internal-state.js';

/**
 * Each execution's own AbortSignal (`job.signal`), aborted when the signal the worker handed
 * in aborts (shutdown gave up on the job) or, for a class with a `timeout`, when it expires.
 * Built on first read: most jobs never look at it. Linked to the worker's signal by one
 * listener that the execution removes when it ends, so what a job adds to its own signal goes
 * away with the job (AbortSignal.any is slow on Node 20 and keeps entries on the long-lived
 * signal; docs/performance.md).
 */
export function executionSignal(state: JobInternals): AbortSignal | undefined {
  return executionController(state)?.signal;
}

/** The execution's controller, created (and linked to the parent signal) on first use. */
export function executionController(state: JobInternals): AbortController | undefined {
  if (state.controller) return state.controller;
  if (!state.parentSignal && !state.needsController) return undefined;
  const controller = new AbortController();
  state.controller = controller;
  const parent = state.parentSignal;
  if (parent?.aborted) controller.abort(parent.reason);
  else if (parent) {
    const onAbort = (): void => controller.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    state.unlinkSignal = () => parent.removeEventListener('abort', onAbort);
  }
  return controller;
}

/** Starts an execution's signal afresh: `parent` is the worker's (or undefined). */
export function resetExecutionSignal(state: JobInternals, parent: AbortSignal | undefined, needsController: boolean): void {
  state.unlinkSignal?.();
  state.unlinkSignal = undefined;
  state.controller = undefined;
  state.parentSignal = parent;
  state.needsController = needsController;
}

/** Ends the execution's link to the parent signal (its own signal stays as it is). */
export function unlinkExecutionSignal(state: JobInternals): void {
  state.unlinkSignal?.();
  state.unlinkSignal = undefined;
}

/**
 * Aborts a running job's signal with `reason` (a cancel from an operator): the job's
 * `this.signal` fires, and the job decides what that means. Has no effect on a job that ended.
 */
export function abortExecution(state: JobInternals, reason: Error): void {
  state.needsController = true;
  executionController(state)?.abort(reason);
}
