/** `warren` exit codes. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Something failed at run time: broker unreachable, publish refused, worker could not start. */
  failure: 1,
  /** Wrong flags or arguments, an unreadable module or topology file, invalid configuration. */
  usage: 2,
  /** `topology verify`: the broker's topology differs from the files. */
  drift: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the command was called; exits with EXIT.usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
