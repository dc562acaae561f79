import type { WorkerHeartbeat } from './heartbeat.js';

/**
 * What a heartbeat may hold. Heartbeats come from the broker, where anyone with publish rights
 * can send one, so readers refuse what passes these limits (heartbeat.ts) and workers trim their
 * own to fit (`reportable`). No zod here: every worker loads this file.
 */

/** The most a heartbeat may weigh: a forged one of megabytes is dropped before it is parsed. */
export const MAX_HEARTBEAT_BYTES = 256 * 1024;
/** A job's progress: at most this many characters as JSON, nested at most this deep. */
export const MAX_PROGRESS_CHARS = 2_000;
export const MAX_PROGRESS_DEPTH = 8;
/** Running jobs listed in one heartbeat (`busy` still counts them all), and queues. */
export const MAX_RUNNING_LISTED = 1_000;
export const MAX_QUEUES_LISTED = 200;

/** How deep `value` nests, stopping once past `limit` (no recursion on the input: it may be hostile). */
function depthOf(value: unknown, limit: number): number {
  let level: unknown[] = [value];
  for (let depth = 0; depth <= limit; depth += 1) {
    const next: unknown[] = [];
    for (const item of level) if (typeof item === 'object' && item !== null) next.push(...Object.values(item));
    if (next.length === 0) return depth;
    level = next;
  }
  return limit + 1;
}

export function reportableProgress(value: unknown): boolean {
  if (value === undefined) return true;
  if (depthOf(value, MAX_PROGRESS_DEPTH) > MAX_PROGRESS_DEPTH) return false;
  return (JSON.stringify(value)?.length ?? 0) <= MAX_PROGRESS_CHARS;
}

/**
 * A worker id as Worker makes it, `<host>:<pid>:<hex>`, matching the heartbeat's host and pid:
 * so a heartbeat cannot claim the id `all` (a click on one worker would steer every one), nor
 * a name that is not an id.
 */
export function isWorkerId(id: string, host: string, pid: number): boolean {
  return id === `${host}:${pid}:${id.slice(id.lastIndexOf(':') + 1)}` && /^[0-9a-f]{1,32}$/.test(id.slice(id.lastIndexOf(':') + 1));
}

/**
 * The heartbeat trimmed to what readers accept: at most MAX_RUNNING_LISTED running jobs and
 * MAX_QUEUES_LISTED queues, and a progress too large or too deep replaced by a note, so a
 * worker with a huge concurrency or a job reporting a large object does not vanish from view.
 */
export function reportable(heartbeat: WorkerHeartbeat): WorkerHeartbeat {
  const running = heartbeat.running
    .slice(0, MAX_RUNNING_LISTED)
    .map((job) =>
      reportableProgress(job.progress) && (typeof job.progress !== 'string' || job.progress.length <= 1_000)
        ? job
        : { ...job, progress: '(progress too large to report)' },
    );
  return { ...heartbeat, running, queues: heartbeat.queues.slice(0, MAX_QUEUES_LISTED) };
}
