import { isDeepStrictEqual } from 'node:util';
import type { RecordedJob } from '../adapters/test/test-adapter.js';
import { serializeArguments } from '../envelope/arguments.js';
import type { JobClass } from '../job/job-class.js';
import { jobNameOf } from '../job/job-class.js';
import { fromEnvelopeTime } from '../envelope/timestamps.js';

/** Which recorded jobs a helper looks at. Every given field must match. */
export interface JobFilter {
  /** A job class (matched by its jobName) or a job name. */
  job?: JobClass | string;
  /** The perform arguments; compared in their serialized (wire) form. */
  args?: readonly unknown[];
  /** The full queue name (prefix included). */
  queue?: string;
  /** The priority; null = none. */
  priority?: number | null;
  /** The exact scheduled time (millisecond precision); null = not delayed. */
  at?: Date | number | null;
}

/** When the job may run: the enqueueAt time, else the envelope's scheduled_at. */
export function scheduledTimeOf(record: RecordedJob): Date | undefined {
  return record.scheduledAt ?? fromEnvelopeTime(record.envelope.scheduled_at);
}

export function matchesFilter(record: RecordedJob, filter: JobFilter): boolean {
  const { envelope } = record;
  if (filter.job !== undefined) {
    const name = typeof filter.job === 'string' ? filter.job : jobNameOf(filter.job);
    if (envelope.job_class !== name) return false;
  }
  if (filter.args !== undefined && !isDeepStrictEqual(envelope.arguments, serializeArguments(filter.args))) return false;
  if (filter.queue !== undefined && envelope.queue_name !== filter.queue) return false;
  if (filter.priority !== undefined && envelope.priority !== filter.priority) return false;
  if (filter.at !== undefined) {
    const expected = filter.at === null ? undefined : new Date(filter.at).getTime();
    if (scheduledTimeOf(record)?.getTime() !== expected) return false;
  }
  return true;
}

/** A one-line description of a recorded job, for assertion messages. */
export function describeRecord(record: RecordedJob): string {
  const { envelope } = record;
  const at = scheduledTimeOf(record);
  return (
    `${envelope.job_class}(${JSON.stringify(envelope.arguments, bigintSafe)}) queue=${envelope.queue_name}` +
    ` priority=${envelope.priority ?? 'none'}${at ? ` at=${at.toISOString()}` : ''}`
  );
}

export function describeFilter(filter: JobFilter): string {
  const parts: string[] = [];
  if (filter.job !== undefined) parts.push(`job=${typeof filter.job === 'string' ? filter.job : jobNameOf(filter.job)}`);
  if (filter.args !== undefined) parts.push(`args=${JSON.stringify(serializeArguments(filter.args), bigintSafe)}`);
  if (filter.queue !== undefined) parts.push(`queue=${filter.queue}`);
  if (filter.priority !== undefined) parts.push(`priority=${filter.priority ?? 'none'}`);
  if (filter.at !== undefined) parts.push(`at=${filter.at === null ? 'none' : new Date(filter.at).toISOString()}`);
  return parts.length > 0 ? parts.join(' ') : 'any job';
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
