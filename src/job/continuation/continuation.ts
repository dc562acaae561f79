import type { JsonValue, WireContinuation } from '../../envelope/envelope.js';
import { InvalidStepError } from '../../errors.js';
import { Step, type CheckpointTarget } from './step.js';

/**
 * A continuable job's progress during one run (Rails 8.1's `ActiveJob::Continuation`): the
 * steps completed in earlier runs and this one, the step in progress with its cursor, and the
 * steps met so far in this run, against which each new step is checked (same rules and
 * messages as Rails' Continuation::Validation).
 */
export class ContinuationState {
  readonly completed: string[];
  /** The step in progress: restored from the envelope until its `this.step` call runs it. */
  current: Step | undefined;
  /** Step names met in this run, in order. */
  private readonly encountered: string[] = [];
  /** True while a step's body runs (steps do not nest). */
  running = false;
  /** A step completed, or a cursor moved, in this run (Rails' `advanced?`). */
  private stepCompleted = false;

  constructor(
    saved: WireContinuation | undefined,
    private readonly target: CheckpointTarget,
  ) {
    this.completed = saved ? [...saved.completed] : [];
    this.current = saved?.current ? new Step(saved.current[0], saved.current[1], true, target) : undefined;
  }

  /** Progress from an earlier run was restored (Rails' `started?`: then the run counts as a resumption). */
  get started(): boolean {
    return this.completed.length > 0 || this.current !== undefined;
  }

  get advanced(): boolean {
    return this.stepCompleted || (this.current?.advanced ?? false);
  }

  /** Checks `name` against the steps met so far (Rails' validations), then records it as met. */
  enter(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidStepError(`Step '${String(name)}' must be a non-empty string`);
    if (this.encountered.includes(name)) throw new InvalidStepError(`Step '${name}' has already been encountered`);
    if (this.running && this.current) throw new InvalidStepError(`Step '${name}' is nested inside step '${this.current.name}'`);
    if (this.current && this.current.name !== name && !this.isCompleted(name)) {
      throw new InvalidStepError(`Step '${name}' found, expected to resume from '${this.current.name}'`);
    }
    const expected = this.completed[this.encountered.length];
    if (this.completed.length > this.encountered.length && expected !== name) {
      throw new InvalidStepError(`Step '${name}' found, expected to see '${expected}'`);
    }
    this.encountered.push(name);
  }

  isCompleted(name: string): boolean {
    return this.completed.includes(name);
  }

  /** The step to run for `name`: the restored one (resumed, with its cursor), or a new one at `start`. */
  begin<C extends JsonValue>(name: string, start: C | undefined): Step<C> {
    this.current ??= new Step<JsonValue>(name, start ?? null, false, this.target);
    this.running = true;
    return this.current as Step<C>;
  }

  /** The running step returned: it is completed. */
  complete(): void {
    if (this.current) this.completed.push(this.current.name);
    this.current = undefined;
    this.stepCompleted = true;
    this.running = false;
  }

  /** The running step threw (or was interrupted): it stays current with the cursor it reached. */
  leave(): void {
    this.running = false;
  }

  /** Rails' `Continuation#to_h`. */
  toWire(): WireContinuation {
    return this.current ? { completed: [...this.completed], current: [this.current.name, this.current.cursor] } : { completed: [...this.completed] };
  }

  /** Rails' `description`: where the job is, for log lines. */
  get description(): string {
    if (this.current) return this.current.description;
    const last = this.completed[this.completed.length - 1];
    return last === undefined ? 'not started' : `after '${last}'`;
  }
}
