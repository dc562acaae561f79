import { DEFAULTS } from '../config/defaults.js';
import type { TestAdapter } from '../adapters/test/test-adapter.js';
import { jsonCodec } from '../envelope/codecs/index.js';
import type { Envelope } from '../envelope/envelope.js';
import { executeEnvelope, type ExecutionResult } from '../job/execution.js';
import { matchesFilter, scheduledTimeOf, type JobFilter } from './job-filter.js';

const MAX_ROUNDS = DEFAULTS.testMaxPerformRounds;

export interface PerformEnqueuedJobsOptions {
  /** Only jobs matching this filter. Default: all. */
  only?: JobFilter;
  /** Only jobs not delayed or scheduled at or before this time (Rails' `at:`). Default: all, delayed ones included. */
  at?: Date | number;
  /**
   * Keep going until no matching job is left, so retries and jobs enqueued by jobs run
   * too. Default: false (only the jobs enqueued when the call starts).
   */
  untilEmpty?: boolean;
}

/**
 * Perform enqueued jobs, as Active Job's `perform_enqueued_jobs`: each job is taken off
 * the adapter's queue, recorded in performedJobs, JSON-encoded and decoded, and run
 * through executeEnvelope with this adapter (so retries are recorded here again).
 * A job's error propagates at once (remaining jobs stay enqueued). Resolves with the
 * number of jobs performed.
 */
export async function performEnqueuedJobs(adapter: TestAdapter, options: PerformEnqueuedJobsOptions = {}): Promise<number> {
  const until = options.at === undefined ? undefined : new Date(options.at).getTime();
  const selected = (): typeof adapter.enqueuedJobs =>
    adapter.enqueuedJobs.filter((record) => {
      if (options.only && !matchesFilter(record, options.only)) return false;
      const at = scheduledTimeOf(record);
      return until === undefined || at === undefined || at.getTime() <= until;
    });

  let performed = 0;
  for (let round = 0; ; round += 1) {
    const batch = selected();
    if (batch.length === 0) break;
    if (round >= MAX_ROUNDS) {
      throw new Error(`performEnqueuedJobs: jobs were still being enqueued after ${MAX_ROUNDS} rounds`);
    }
    for (const record of batch) {
      const index = adapter.enqueuedJobs.indexOf(record);
      if (index === -1) continue;
      adapter.enqueuedJobs.splice(index, 1);
      adapter.performedJobs.push(record);
      await performRecorded(adapter, record.envelope);
      performed += 1;
    }
    if (!options.untilEmpty) break;
  }
  return performed;
}

function performRecorded(adapter: TestAdapter, envelope: Envelope): Promise<ExecutionResult> {
  const decoded = jsonCodec.decode(jsonCodec.encode(envelope));
  return executeEnvelope(decoded, adapter.registry, { adapter });
}
