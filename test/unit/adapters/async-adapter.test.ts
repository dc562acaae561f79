import { afterEach, describe, expect, it, vi } from 'vitest';
import { AsyncAdapter, ConfigurationError, EnqueueError, Job, JobRegistry } from '../../../src/index.js';
import { DelayTimers } from '../../../src/adapters/async/delay-timers.js';

const adapters: AsyncAdapter[] = [];
function asyncAdapter(registry: JobRegistry, options: { concurrency?: number; onError?: (e: unknown) => void } = {}) {
  const adapter = new AsyncAdapter({ registry, ...options });
  adapters.push(adapter);
  return adapter;
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});

describe('async adapter', () => {
  it('performs jobs in the background: performLater resolves first, drain() waits for the work', async () => {
    const done: string[] = [];
    class BackgroundJob extends Job {
      perform(name: string): void {
        done.push(name);
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(BackgroundJob));
    BackgroundJob.adapter = adapter;
    await BackgroundJob.performLater('ana');
    expect(done).toEqual([]);
    await adapter.drain();
    expect(done).toEqual(['ana']);
  });

  it('never runs more jobs at once than its concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class GatedJob extends Job {
      async perform(): Promise<void> {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await gate;
        running -= 1;
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(GatedJob), { concurrency: 3 });
    GatedJob.adapter = adapter;
    for (let i = 0; i < 10; i += 1) await GatedJob.performLater();
    await vi.waitFor(() => expect(running).toBe(3), { timeout: 10_000 });
    release();
    await adapter.drain();
    expect(maxRunning).toBe(3);
  });

  it('holds a delayed job until its time, and drain() waits for it', async () => {
    const performedAt: number[] = [];
    class DelayedJob extends Job {
      perform(): void {
        performedAt.push(Date.now());
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(DelayedJob));
    DelayedJob.adapter = adapter;
    const job = await DelayedJob.set({ wait: 100 }).performLater();
    expect(performedAt).toEqual([]);
    await adapter.drain();
    expect(performedAt).toHaveLength(1);
    expect(performedAt[0]).toBeGreaterThanOrEqual(job.scheduledAt!.getTime());
  });

  it('performs retries, delayed ones included, before drain() resolves', async () => {
    const executions: number[] = [];
    class FlakyJob extends Job {
      static {
        this.retryOn(Error, { wait: 30, attempts: 3, jitter: 0 });
      }
      perform(): void {
        executions.push(this.executions);
        if (this.executions < 3) throw new Error('flaky');
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(FlakyJob));
    FlakyJob.adapter = adapter;
    await FlakyJob.performLater();
    await adapter.drain();
    expect(executions).toEqual([1, 2, 3]);
  });

  it('drain() also waits for retries that run at once (no wait)', async () => {
    const executions: number[] = [];
    class QuickRetryJob extends Job {
      static {
        this.retryOn(Error, { wait: 0, attempts: 5 });
      }
      perform(): void {
        executions.push(this.executions);
        if (this.executions < 5) throw new Error('again');
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(QuickRetryJob), { concurrency: 1 });
    QuickRetryJob.adapter = adapter;
    await QuickRetryJob.performLater();
    await adapter.drain();
    expect(executions).toEqual([1, 2, 3, 4, 5]);
  });

  it("reports a job's failure to onError", async () => {
    const failures: string[] = [];
    class FailingJob extends Job {
      perform(): void {
        throw new Error('boom');
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(FailingJob), {
      onError: (error) => failures.push((error as Error).message),
    });
    FailingJob.adapter = adapter;
    await FailingJob.performLater();
    await adapter.drain();
    expect(failures).toEqual(['boom']);
  });

  it('hands perform arguments that went through the JSON codec', async () => {
    const seen: unknown[] = [];
    class ParityJob extends Job {
      perform(value: unknown): void {
        seen.push(value);
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(ParityJob));
    ParityJob.adapter = adapter;
    const original = { list: [1, 'two', null] };
    await ParityJob.performLater(original);
    await adapter.drain();
    expect(seen).toEqual([original]);
    expect(seen[0]).not.toBe(original);
  });

  it('drops queued and delayed jobs on close and refuses new ones', async () => {
    const done: number[] = [];
    class LostJob extends Job {
      perform(n: number): void {
        done.push(n);
      }
    }
    const adapter = asyncAdapter(new JobRegistry().register(LostJob));
    LostJob.adapter = adapter;
    await LostJob.set({ wait: 60_000 }).performLater(1);
    await adapter.close();
    await expect(LostJob.performLater(2)).rejects.toBeInstanceOf(EnqueueError);
    await adapter.drain();
    expect(done).toEqual([]);
  });

  it('refuses a concurrency below 1', () => {
    expect(() => new AsyncAdapter({ registry: new JobRegistry(), concurrency: 0 })).toThrow(ConfigurationError);
  });
});

describe('delay timers', () => {
  it('wait for delays longer than setTimeout allows instead of firing at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const timers = new DelayTimers();
    const fired: number[] = [];
    const maxTimeout = 2 ** 31 - 1;
    timers.add(Date.now() + maxTimeout + 1_000, () => fired.push(1));
    vi.advanceTimersByTime(maxTimeout);
    expect(fired).toEqual([]);
    expect(timers.size).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([1]);
    expect(timers.size).toBe(0);
  });
});
