/**
 * Halts a callback chain: warren's `throw :abort`. Throw it from a before or around
 * callback (`throw abort()`, or call `job.abort()`, which throws it).
 *
 * - Enqueue: the job is not handed to the adapter and the remaining callbacks, after
 *   callbacks included, do not run. performLater returns the job with
 *   `successfullyEnqueued === false` and no `enqueueError`.
 * - Perform: perform and the after callbacks do not run; the outcome is 'skipped'.
 *
 * It is a signal, not a failure: it never reaches rescueFrom/retryOn/discardOn rules.
 */
export class CallbackAbort extends Error {
  constructor(readonly reason?: string) {
    super(reason === undefined ? 'halted by a callback' : `halted by a callback: ${reason}`);
    this.name = 'CallbackAbort';
  }
}

/** Create the value to throw from a callback to halt it: `throw abort('duplicate')`. */
export function abort(reason?: string): CallbackAbort {
  return new CallbackAbort(reason);
}
