import { json, shownText } from './format.js';
import type { DeadLetter, WorkerHeartbeat } from './sources.js';

/** What a job's arguments are shown with: a dead letter, or a running job (reported without arguments today). */
export type ArgumentsSubject = DeadLetter | WorkerHeartbeat['running'][number];

/**
 * Hides what must not be shown before any display of a job's arguments (passwords, personal
 * data): gets the arguments in their wire form and the dead letter or job they belong to,
 * returns what to show. Called for every display; its result is escaped like any text.
 */
export type RedactArguments = (args: unknown[], subject: ArgumentsSubject) => unknown[];

/**
 * The arguments as the page shows them: through `redact` when given, as indented JSON, and with
 * any `amqp://user:password@` in them redacted. A failing `redact` hides them all.
 */
export function presentArguments(args: unknown[] | undefined, subject: ArgumentsSubject, redact: RedactArguments | undefined): string {
  if (args === undefined) return '(the body is not a readable envelope)';
  let shown: unknown[];
  try {
    shown = redact ? redact(structuredClone(args), subject) : args;
  } catch {
    return '(hidden: the redact function failed)';
  }
  return shownText(json(shown));
}
