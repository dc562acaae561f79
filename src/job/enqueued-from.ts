import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * warren's own code: src/ in a checkout, dist/ in the published build (this file sits in
 * src/job/ or dist/chunks/, one folder below either). Frames in there are skipped.
 */
const OWN_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `at fn (file:line:col)` or `at file:line:col`: the function (if any), the file, line and column. */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * Where the application enqueued the job, as Rails 7.1's verbose enqueue logs say it
 * ("↳ app/models/user.rb:12:in `signup'"): the first stack frame outside warren and Node's
 * internals, its file relative to the working directory. Undefined when there is none.
 */
export function enqueuedFrom(): string | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const frame = FRAME.exec(line);
    if (!frame) continue;
    const [, fn, location, row, column] = frame;
    const file = location!.startsWith('file://') ? fileURLToPath(location!) : location!;
    if (file.startsWith('node:') || file.startsWith(OWN_ROOT) || file.includes(`${sep}node_modules${sep}warren${sep}`)) continue;
    const shown = relative(process.cwd(), file) || file;
    return `${shown}:${row}:${column}${fn && !fn.startsWith('async ') ? ` in ${fn}` : fn ? ` in ${fn.slice(6)}` : ''}`;
  }
  return undefined;
}
