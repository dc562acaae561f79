import { AssertionError } from 'node:assert';
import type { RecordedJob, TestAdapter } from '../adapters/test/test-adapter.js';
import { describeFilter, describeRecord, matchesFilter, type JobFilter } from './job-filter.js';

/** The enqueued (not yet performed) jobs matching `filter`, in order. */
export function enqueuedJobs(adapter: TestAdapter, filter: JobFilter = {}): RecordedJob[] {
  return adapter.enqueuedJobs.filter((record) => matchesFilter(record, filter));
}

/** The jobs performEnqueuedJobs performed, matching `filter`, in order. */
export function performedJobs(adapter: TestAdapter, filter: JobFilter = {}): RecordedJob[] {
  return adapter.performedJobs.filter((record) => matchesFilter(record, filter));
}

/**
 * Assert that jobs matching `filter` are enqueued: exactly `count` of them when given,
 * else at least one. Returns the matches. Throws an AssertionError listing what is enqueued.
 */
export function assertEnqueued(adapter: TestAdapter, filter: JobFilter = {}, count?: number): RecordedJob[] {
  return assertCount('enqueued', adapter.enqueuedJobs, filter, count);
}

/** Assert that no enqueued job matches `filter`. */
export function assertNotEnqueued(adapter: TestAdapter, filter: JobFilter = {}): void {
  assertCount('enqueued', adapter.enqueuedJobs, filter, 0);
}

/** Assert that jobs matching `filter` were performed (exactly `count` when given, else at least one). */
export function assertPerformed(adapter: TestAdapter, filter: JobFilter = {}, count?: number): RecordedJob[] {
  return assertCount('performed', adapter.performedJobs, filter, count);
}

/** Forget every enqueued and performed job. */
export function clearJobs(adapter: TestAdapter): void {
  adapter.clear();
}

function assertCount(what: string, records: readonly RecordedJob[], filter: JobFilter, count: number | undefined): RecordedJob[] {
  const matches = records.filter((record) => matchesFilter(record, filter));
  const ok = count === undefined ? matches.length > 0 : matches.length === count;
  if (!ok) {
    const expected = count === undefined ? 'at least 1' : String(count);
    const listing = records.length > 0 ? records.map((r) => `  - ${describeRecord(r)}`).join('\n') : '  (none)';
    throw new AssertionError({
      message: `expected ${expected} ${what} job(s) matching ${describeFilter(filter)}, found ${matches.length}.\n${what}:\n${listing}`,
      actual: matches.length,
      expected: count ?? 1,
      operator: count === undefined ? '>=' : '===',
    });
  }
  return matches;
}
