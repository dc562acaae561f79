import { describe, expect, it } from 'vitest';
import { AdapterError, EnqueueError, InlineAdapter, Job, JobRegistry, performAllLater } from '../../../src/index.js';

describe('inline adapter', () => {
  it('performs the job before performLater resolves', async () => {
    const done: string[] = [];
    class NowJob extends Job {
      async perform(name: string): Promise<void> {
        await Promise.resolve();
        done.push(name);
      }
    }
    NowJob.adapter = new InlineAdapter({ registry: new JobRegistry().register(NowJob) });
    await NowJob.performLater('ana');
    expect(done).toEqual(['ana']);
  });

  it('sends every envelope through the JSON codec first', async () => {
    const seen: unknown[] = [];
    class ParityJob extends Job {
      perform(value: unknown): void {
        seen.push(value);
      }
    }
    ParityJob.adapter = new InlineAdapter({ registry: new JobRegistry().register(ParityJob) });
    const original = { nested: { list: [1, 'a', null] } };
    await ParityJob.performLater(original);
    expect(seen).toEqual([original]);
    expect(seen[0]).not.toBe(original);
  });

  it('refuses a delay with AdapterError, surfaced by performLater as the cause of an EnqueueError', async () => {
    class LaterJob extends Job {
      perform(): void {
        throw new Error('must not run');
      }
    }
    const adapter = new InlineAdapter({ registry: new JobRegistry().register(LaterJob) });
    LaterJob.adapter = adapter;
    const failure = await LaterJob.set({ wait: 60_000 })
      .performLater()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as EnqueueError).cause).toBeInstanceOf(AdapterError);
    expect((failure as Error).message).toMatch(/cannot delay/);
    await expect(adapter.enqueueAt({} as never, Date.now() + 1_000)).rejects.toBeInstanceOf(AdapterError);
  });

  it('performs at once a job whose scheduled time is already due', async () => {
    const done: number[] = [];
    class DueJob extends Job {
      perform(n: number): void {
        done.push(n);
      }
    }
    DueJob.adapter = new InlineAdapter({ registry: new JobRegistry().register(DueJob) });
    await DueJob.set({ waitUntil: Date.now() - 1_000 }).performLater(1);
    expect(done).toEqual([1]);
  });

  it("reports a job's failure to onError instead of rejecting the enqueue", async () => {
    const failures: unknown[] = [];
    class FailingJob extends Job {
      perform(): void {
        throw new Error('boom');
      }
    }
    FailingJob.adapter = new InlineAdapter({
      registry: new JobRegistry().register(FailingJob),
      onError: (error, envelope) => failures.push([(error as Error).message, envelope.job_class]),
    });
    const job = await FailingJob.performLater();
    expect(job.successfullyEnqueued).toBe(true);
    expect(failures).toEqual([['boom', 'FailingJob']]);
  });

  it('runs retries without wait at once, nested in the failed execution', async () => {
    const executions: number[] = [];
    class FlakyJob extends Job {
      static {
        this.retryOn(Error, { wait: 0, attempts: 3 });
      }
      perform(): void {
        executions.push(this.executions);
        if (this.executions < 3) throw new Error('flaky');
      }
    }
    FlakyJob.adapter = new InlineAdapter({ registry: new JobRegistry().register(FlakyJob) });
    await FlakyJob.performLater();
    expect(executions).toEqual([1, 2, 3]);
  });

  it('performs bulk jobs one by one and refuses the delayed ones individually', async () => {
    const done: number[] = [];
    class BulkJob extends Job {
      perform(n: number): void {
        done.push(n);
      }
    }
    BulkJob.adapter = new InlineAdapter({ registry: new JobRegistry().register(BulkJob) });
    const jobs = [BulkJob.build(1), BulkJob.build(2).set({ wait: 60_000 }), BulkJob.build(3)];
    await expect(performAllLater(jobs)).resolves.toBe(2);
    expect(done).toEqual([1, 3]);
    expect(jobs[1]!.enqueueError?.cause).toBeInstanceOf(AdapterError);
  });
});
