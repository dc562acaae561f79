import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, configure, DuplicateJobError, executeEnvelope, Job, JobRegistry } from '../../../src/index.js';
import { clearMemoryUniqueLocks, performEnqueuedJobs, resetConfiguration, TestAdapter } from '../../../src/testing/index.js';
import { uniqueOf } from '../../../src/job/unique-job.js';

const events: string[] = [];

class SyncUserJob extends Job {
  static override jobName = 'SyncUserJob';
  static override unique = { key: (userId: number) => userId };
  perform(userId: number): void {
    events.push(`sync ${userId}`);
  }
}

class RaisingJob extends Job {
  static override jobName = 'RaisingJob';
  static override unique = { onDuplicate: 'raise' as const };
  perform(_report: string): void {}
}

class Flaky extends Error {}
class RetriedJob extends Job {
  static override jobName = 'RetriedJob';
  static override unique = { key: (id: string) => id };
  static {
    this.retryOn(Flaky, { wait: 0, attempts: 3, jitter: 0 });
  }
  perform(id: string): void {
    events.push(`run ${id} ${this.executions}`);
    if (this.executions === 1) throw new Flaky('first run fails');
  }
}

let adapter: TestAdapter;
let enqueuedDuring: boolean | undefined;
class StartingJob extends Job {
  static override jobName = 'StartingJob';
  static override unique = { until: 'executing' as const };
  async perform(): Promise<void> {
    // The lock went when the job started: the same job may be enqueued again while it runs.
    await new Promise((resolve) => setTimeout(resolve, 10));
    enqueuedDuring = (await StartingJob.performLater()).successfullyEnqueued;
  }
}

class SearchIndexJob extends Job {
  static override jobName = 'SearchIndexJob';
  static override unique = { key: (userId: number) => userId, debounce: 1_000 };
  perform(userId: number, version: number): void {
    events.push(`index ${userId} v${version}`);
  }
}

const registry = new JobRegistry().register(SyncUserJob, RaisingJob, RetriedJob, StartingJob, SearchIndexJob);

/** Performs the oldest enqueued job only (as a worker would take it), through the test adapter. */
async function performFirst(): Promise<void> {
  const [record] = adapter.enqueuedJobs.splice(0, 1);
  await executeEnvelope(record!.envelope, registry, { adapter });
}

beforeEach(() => {
  adapter = new TestAdapter({ registry });
  configure({ adapter });
  clearMemoryUniqueLocks();
  events.length = 0;
});
afterEach(() => resetConfiguration());

describe('unique jobs', () => {
  it('refuse a second job with the same key while the first is pending: a result, not an error', async () => {
    const first = await SyncUserJob.performLater(1);
    const second = await SyncUserJob.performLater(1);
    const other = await SyncUserJob.performLater(2);
    expect(first.successfullyEnqueued).toBe(true);
    expect(second.successfullyEnqueued).toBe(false);
    expect(second.enqueueError).toBeInstanceOf(DuplicateJobError);
    expect(other.successfullyEnqueued).toBe(true);
    expect(adapter.enqueuedJobs).toHaveLength(2);
  });

  it("free the lock once the job is performed ('executed', the default)", async () => {
    await SyncUserJob.performLater(1);
    await performEnqueuedJobs(adapter);
    expect(events).toEqual(['sync 1']);
    expect((await SyncUserJob.performLater(1)).successfullyEnqueued).toBe(true);
  });

  it("with 'executing', free it when the job starts", async () => {
    await StartingJob.performLater();
    await performFirst();
    expect(enqueuedDuring).toBe(true);
  });

  it('keep the lock across a retry (never refused as its own duplicate), then free it', async () => {
    await RetriedJob.performLater('a');
    await performFirst();
    expect(events).toEqual(['run a 1']);
    expect(adapter.enqueuedJobs).toHaveLength(1); // the retry
    expect((await RetriedJob.performLater('a')).successfullyEnqueued).toBe(false);
    await performEnqueuedJobs(adapter);
    expect(events).toEqual(['run a 1', 'run a 2']);
    expect((await RetriedJob.performLater('a')).successfullyEnqueued).toBe(true);
  });

  it("key defaults to all the arguments; onDuplicate 'raise' throws DuplicateJobError", async () => {
    await RaisingJob.performLater('monthly');
    await RaisingJob.performLater('weekly');
    await expect(RaisingJob.performLater('monthly')).rejects.toBeInstanceOf(DuplicateJobError);
  });

  it('per call: set({ unique: false }) skips the check; set({ unique: { ttl } }) makes the lock expire', async () => {
    // The clock is moved by hand: a real 5 ms ttl expired before the second check on a busy machine.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await SyncUserJob.set({ unique: { ttl: 1_000 } }).performLater(7);
      expect((await SyncUserJob.set({ unique: false }).performLater(7)).successfullyEnqueued).toBe(true);
      expect((await SyncUserJob.performLater(7)).successfullyEnqueued).toBe(false);
      vi.setSystemTime(Date.now() + 999);
      expect((await SyncUserJob.performLater(7)).successfullyEnqueued).toBe(false);
      vi.setSystemTime(Date.now() + 2);
      expect((await SyncUserJob.performLater(7)).successfullyEnqueued).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('debounce: every enqueue is accepted and runs a window later, but only the last of a key is performed', async () => {
    const before = Date.now();
    const jobs = [
      await SearchIndexJob.performLater(1, 1),
      await SearchIndexJob.performLater(1, 2),
      await SearchIndexJob.performLater(2, 1),
      await SearchIndexJob.performLater(1, 3),
    ];
    expect(jobs.every((job) => job.successfullyEnqueued)).toBe(true);
    expect(jobs.every((job) => job.scheduledAt!.getTime() >= before + 1_000)).toBe(true);
    await performEnqueuedJobs(adapter);
    expect(events.sort()).toEqual(['index 1 v3', 'index 2 v1']);
  });

  it('debounce: an older job that comes due after the latest one ran is still skipped', async () => {
    await SearchIndexJob.performLater(3, 1);
    await SearchIndexJob.performLater(3, 2);
    const [older, latest] = adapter.enqueuedJobs.splice(0, 2);
    await executeEnvelope(latest!.envelope, registry, { adapter });
    await executeEnvelope(older!.envelope, registry, { adapter });
    await executeEnvelope(latest!.envelope, registry, { adapter }); // redelivered: the latest runs again
    expect(events).toEqual(['index 3 v2', 'index 3 v2']);
  });

  it('refuse bad options with ConfigurationError', async () => {
    class BadJob extends Job {
      static override unique = { ttl: 0 };
      perform(): void {}
    }
    expect(() => uniqueOf(BadJob)).toThrow(ConfigurationError);
    await expect(SyncUserJob.set({ unique: { ttl: -1 } }).performLater(1)).rejects.toBeInstanceOf(ConfigurationError);
  });
});
