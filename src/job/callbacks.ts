import { ConfigurationError } from '../errors.js';
import { appendOwn, configKey, inheritedList } from './class-config.js';
import type { JobMethodName } from './job-class.js';
import type { Job } from './job.js';

/**
 * Callbacks, with ActiveSupport::Callbacks' order. One chain per event (enqueue,
 * perform), in declaration order, parent class declarations first:
 *
 * - before callbacks run in declaration order;
 * - around callbacks nest in declaration order (the first declared is outermost), and
 *   everything declared after an around callback runs inside it;
 * - after callbacks run in reverse declaration order at their nesting level (an after
 *   declared before an around runs after that around has finished).
 *
 * Example: before A, around B, after C, before D, after E runs
 * A, B(start), D, work, E, C, B(end).
 *
 * Halting: `throw abort()` from a callback (or `job.abort()`) stops the chain; the work
 * and every after callback are skipped. An around callback that returns without
 * calling `next` skips the work and the callbacks nested in it (after callbacks outside
 * it still run, as in Rails). An error thrown anywhere propagates and skips after callbacks.
 */
export type CallbackEvent = 'enqueue' | 'perform';
export type CallbackKind = 'before' | 'around' | 'after';

/** A before/after callback: a function of the job, or the name of one of its methods. */
export type JobCallback<J extends Job> = ((job: J) => unknown) | JobMethodName<J>;

/**
 * An around callback: calls `next()` (and awaits it) to run the rest of the chain.
 * A method given by name receives `next` as its only argument.
 */
export type AroundCallback<J extends Job> = ((job: J, next: () => Promise<void>) => unknown) | JobMethodName<J>;

interface CallbackEntry {
  kind: CallbackKind;
  callback: ((job: Job, next?: () => Promise<void>) => unknown) | string;
}

const chains = {
  enqueue: configKey<CallbackEntry>('callbacks.enqueue'),
  perform: configKey<CallbackEntry>('callbacks.perform'),
};

export function declareCallback(jobClass: { prototype: object; name: string }, event: CallbackEvent, kind: CallbackKind, callback: unknown): void {
  if (typeof callback === 'string') {
    if (typeof (jobClass.prototype as Record<string, unknown>)[callback] !== 'function') {
      throw new ConfigurationError(`${kind}${capitalize(event)} callback "${callback}" is not a method of ${jobClass.name}`);
    }
  } else if (typeof callback !== 'function') {
    throw new ConfigurationError(`${kind}${capitalize(event)} expects a function or a method name`);
  }
  appendOwn(jobClass, chains[event], { kind, callback: callback as CallbackEntry['callback'] });
}

export interface ChainResult {
  /** The work ran to completion. */
  ran: boolean;
  /** A callback threw abort(). */
  halted: boolean;
}

/** Whether `job`'s class (or a parent) declares callbacks for `event`. */
export function hasCallbacks(job: Job, event: CallbackEvent): boolean {
  return inheritedList(job.constructor, chains[event]).length > 0;
}

/** Run `job`'s callback chain for `event` around `work`. */
export function runCallbacks(job: Job, event: CallbackEvent, work: () => Promise<void>): Promise<ChainResult> {
  const chain = inheritedList(job.constructor, chains[event]);
  return chain.length === 0 ? runBare(work) : runChain(job, chain, work);
}

async function runChain(job: Job, chain: readonly CallbackEntry[], work: () => Promise<void>): Promise<ChainResult> {
  const state: ChainResult = { ran: false, halted: false };

  // abort() halts; the callbacks around the halting point return normally, as in Rails.
  const guarded = async (fn: () => unknown): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      if (!(error instanceof CallbackAbort)) throw error;
      state.halted = true;
    }
  };

  const step = async (index: number): Promise<void> => {
    if (state.halted) return;
    const entry = chain[index];
    if (!entry) {
      await guarded(async () => {
        await work();
        state.ran = true;
      });
      return;
    }
    if (entry.kind === 'before') {
      await guarded(() => invoke(job, entry));
      await step(index + 1);
    } else if (entry.kind === 'after') {
      await step(index + 1);
      if (!state.halted) await guarded(() => invoke(job, entry));
    } else {
      await runAround(job, entry, () => step(index + 1), guarded);
    }
  };

  await step(0);
  return state;
}

export const RAN: ChainResult = Object.freeze({ ran: true, halted: false });
export const HALTED: ChainResult = Object.freeze({ ran: false, halted: true });

function haltedOrRethrow(error: unknown): ChainResult {
  if (error instanceof CallbackAbort) return HALTED;
  throw error;
}

/**
 * A class without callbacks: the work alone (it may still halt with abort()). Chained rather
 * than an async function: every async frame costs a job about half a kilobyte of garbage.
 */
function runBare(work: () => Promise<void>): Promise<ChainResult> {
  let running: Promise<void>;
  try {
    running = work();
  } catch (error) {
    return new Promise((resolve) => resolve(haltedOrRethrow(error)));
  }
  return running.then(() => RAN, haltedOrRethrow);
}

async function runAround(job: Job, entry: CallbackEntry, rest: () => Promise<void>, guarded: (fn: () => unknown) => Promise<void>): Promise<void> {
  let inner: Promise<void> | undefined;
  let settled = false;
  const next = (): Promise<void> => {
    inner ??= rest().finally(() => {
      settled = true;
    });
    return inner;
  };
  await guarded(() => invoke(job, entry, next));
  // An around callback that called next() without awaiting it: wait for the rest of the
  // chain here so its errors are not lost. One that awaited it has already seen them.
  if (inner && !settled) await inner;
}

function invoke(job: Job, entry: CallbackEntry, next?: () => Promise<void>): unknown {
  const args = next ? [next] : [];
  if (typeof entry.callback === 'string') {
    const method = (job as unknown as Record<string, (...a: unknown[]) => unknown>)[entry.callback];
    if (typeof method !== 'function') throw new ConfigurationError(`callback method "${entry.callback}" is missing`);
    return method.apply(job, args);
  }
  return next ? entry.callback(job, next) : entry.callback(job);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

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
