/**
 * Job priority -> message priority.
 *
 * Active Job's convention: a lower number is more important (0 before 10).
 * RabbitMQ's: a higher message priority is delivered first, from 0 to the queue's
 * `x-max-priority` (M); a message without a priority counts as 0.
 *
 * The mapping, for a queue with max priority M:
 * - Active Job priority p (a whole number; fractions are rounded) is clamped to 0..M and
 *   becomes M - p: 0 -> M (first), M -> 0 (last); anything below 0 counts as 0, above M as M.
 * - A job without a priority sits in the middle: floor(M / 2), which is where Active Job
 *   priority ceil(M / 2) lands. With the default M = 10: priorities 0-4 run before jobs
 *   without a priority, 6-10 after, and 5 with them. This lets a job be marked less important
 *   than the default as well as more (Delayed Job and Solid Queue users write `priority: 10`
 *   for background work). Messages from other producers that carry no priority count as 0,
 *   behind every warren job of that queue.
 * - A queue without a max priority: undefined (publish without a priority; the caller
 *   warns once that the job's priority is ignored).
 *
 * Choose a queue's maxPriority at least as large as the largest priority your jobs use.
 */
export function toBrokerPriority(activeJobPriority: number | null | undefined, maxPriority: number | undefined): number | undefined {
  if (maxPriority === undefined || !Number.isFinite(maxPriority) || maxPriority < 1) return undefined;
  const max = Math.floor(maxPriority);
  if (activeJobPriority === null || activeJobPriority === undefined || !Number.isFinite(activeJobPriority)) {
    return unprioritizedBrokerPriority(max);
  }
  const clamped = Math.min(Math.max(Math.round(activeJobPriority), 0), max);
  return max - clamped;
}

/** The message priority of a job without a priority on a queue with max priority `maxPriority`: floor(M / 2). */
export function unprioritizedBrokerPriority(maxPriority: number): number {
  return Math.floor(maxPriority / 2);
}
