import type { JsonValue } from '../../envelope/envelope.js';
import { UnadvanceableCursorError } from '../../errors.js';

/** What a step calls back into at each checkpoint (continuable.ts). */
export interface CheckpointTarget {
  checkpoint(): Promise<void>;
}

/**
 * One step of a continuable job (Rails 8.1's `ActiveJob::Continuation::Step`): its name, its
 * cursor, and the checkpoints where the job may stop. `set`, `advance` and `checkpoint` are
 * checkpoints: each asks whether the worker wants the job to stop (then it throws
 * JobInterruptedError, which warren turns into a continuation) and saves progress now and then
 * for a crash. Call one after each unit of work is done, so the cursor always names the next
 * unit to do.
 *
 * ```ts
 * await this.step('import', async (step) => {
 *   for (let row = step.cursor; row < rows.length; row += 1) {
 *     await importRow(rows[row]);
 *     await step.advance(); // the cursor is now row + 1
 *   }
 * }, { start: 0 });
 * ```
 */
export class Step<C extends JsonValue = JsonValue> {
  #cursor: C;
  readonly #initial: C;

  constructor(
    /** The step's name, as given to `this.step`. */
    readonly name: string,
    cursor: C,
    /** True when this step was under way in an earlier run and is resumed here with its cursor. */
    readonly resumed: boolean,
    private readonly target: CheckpointTarget,
  ) {
    this.#cursor = cursor;
    this.#initial = cursor;
  }

  /** The cursor: what the step saved last (restored on resume), else `start`, else null. */
  get cursor(): C {
    return this.#cursor;
  }

  /** Whether the cursor moved during this run (Rails' `advanced?`). */
  get advanced(): boolean {
    return !sameJson(this.#initial, this.#cursor);
  }

  /** Sets the cursor, then a checkpoint (Rails' `set!`). A JSON value: a number, a string, an array of them. */
  set(cursor: C): Promise<void> {
    this.#cursor = cursor;
    return this.target.checkpoint();
  }

  /**
   * Moves a numeric cursor on by one, or to `from + 1` (Rails' `advance!(from:)`, for ids with
   * gaps), then a checkpoint. Throws UnadvanceableCursorError for a cursor that is not a number or bigint.
   */
  advance(options: { from?: number | bigint } = {}): Promise<void> {
    const from: unknown = options.from ?? this.#cursor;
    if (typeof from === 'bigint') return this.set((from + 1n) as C);
    if (typeof from === 'number' && Number.isFinite(from)) return this.set((from + 1) as C);
    return Promise.reject(
      new UnadvanceableCursorError(
        `step '${this.name}': cannot advance the cursor ${describeCursor(from)}; advance() needs a number (give start: 0), or use set()`,
      ),
    );
  }

  /** A checkpoint without moving the cursor (Rails' `checkpoint!`). */
  checkpoint(): Promise<void> {
    return this.target.checkpoint();
  }

  /** Rails' `description`: `at 'import', cursor 42`. */
  get description(): string {
    return `at '${this.name}', cursor ${describeCursor(this.#cursor)}`;
  }
}

export function describeCursor(cursor: unknown): string {
  if (cursor === undefined || cursor === null) return 'null';
  if (typeof cursor === 'bigint') return `${cursor}`;
  try {
    const text = JSON.stringify(cursor, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}` : value));
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(cursor);
  }
}

/** Deep equality of JSON values (bigint included), for `advanced`. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => sameJson(item, other[index]));
  }
  const left = Object.keys(a);
  const right = b as Record<string, unknown>;
  return (
    left.length === Object.keys(right).length && left.every((key) => Object.hasOwn(right, key) && sameJson((a as Record<string, unknown>)[key], right[key]))
  );
}
