import { afterEach, describe, expect, it, vi } from 'vitest';
import * as argumentsModule from '../../../src/envelope/arguments.js';
import { EnqueueError, Job, performAllLater, SerializationError } from '../../../src/index.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';

afterEach(() => vi.restoreAllMocks());

describe('performAllLater', () => {
  it('enqueues jobs of different classes with one enqueueAll call per adapter and returns the count', async () => {
    const mailAdapter = new RecordingAdapter('mail');
    const exportAdapter = new RecordingAdapter('export');
    class CleanupJob extends Job {
      static override adapter = mailAdapter;
      perform(_guest: string): void {}
    }
    class NotifyJob extends Job {
      static override adapter = mailAdapter;
      perform(_guest: string): void {}
    }
    class ExportJob extends Job {
      static override adapter = exportAdapter;
      perform(_data: number[]): void {}
    }
    const jobs = [CleanupJob.build('ana'), ExportJob.build([1, 2]), new NotifyJob('bea')];
    const count = await performAllLater(jobs);

    expect(count).toBe(3);
    expect(mailAdapter.calls.map((c) => c.method)).toEqual(['enqueueAll']);
    expect(mailAdapter.calls[0]!.envelopes.map((e) => e.job_class)).toEqual(['CleanupJob', 'NotifyJob']);
    expect(exportAdapter.calls.map((c) => c.method)).toEqual(['enqueueAll']);
    expect(jobs.every((job) => job.successfullyEnqueued)).toBe(true);
    expect(jobs[0]!.providerJobId).toBe(`p-${jobs[0]!.jobId}`);
  });

  it("passes each job's own set() options: delay, queue and priority", async () => {
    const adapter = new RecordingAdapter();
    class GuestJob extends Job {
      static override adapter = adapter;
      perform(_guest: string): void {}
    }
    const at = Date.now() + 86_400_000;
    await performAllLater([GuestJob.build('ana').set({ waitUntil: at }), GuestJob.set({ queue: 'vip', priority: 1 }).build('bea')]);
    const [first, second] = adapter.calls[0]!.items!;
    expect(first!.scheduledAt).toBe(at);
    expect(first!.envelope.scheduled_at).not.toBeNull();
    expect(second!.scheduledAt).toBeUndefined();
    expect(second!.envelope).toMatchObject({ queue_name: 'vip', priority: 1 });
  });

  it('does not run enqueue callbacks', async () => {
    const adapter = new RecordingAdapter();
    const log: string[] = [];
    class CallbackJob extends Job {
      static override adapter = adapter;
      static {
        this.beforeEnqueue(() => void log.push('before'));
        this.aroundEnqueue(async (_job, next) => {
          log.push('around');
          await next();
        });
        this.afterEnqueue(() => void log.push('after'));
      }
      perform(): void {}
    }
    await performAllLater([CallbackJob.build(), CallbackJob.build()]);
    expect(log).toEqual([]);
    expect(adapter.calls[0]!.envelopes).toHaveLength(2);
  });

  it('reports per-job failures through successfullyEnqueued and enqueueError, counting only successes', async () => {
    const adapter = new RecordingAdapter();
    adapter.fail = new Error('queue full'); // fails every second item
    class BulkJob extends Job {
      static override adapter = adapter;
      perform(_n: number): void {}
    }
    const jobs = [1, 2, 3, 4].map((n) => BulkJob.build(n));
    const count = await performAllLater(jobs);
    expect(count).toBe(2);
    expect(jobs.map((j) => j.successfullyEnqueued)).toEqual([true, false, true, false]);
    expect(jobs[1]!.enqueueError).toBeInstanceOf(EnqueueError);
    expect(jobs[1]!.enqueueError!.cause).toBe(adapter.fail);
  });

  it('fails every job of an adapter whose bulk call rejects, and still enqueues on the other adapters', async () => {
    const broken = new RecordingAdapter('broken');
    broken.enqueueAll = () => Promise.reject(new Error('connection lost'));
    const healthy = new RecordingAdapter('healthy');
    class BrokenJob extends Job {
      static override adapter = broken;
      perform(): void {}
    }
    class HealthyJob extends Job {
      static override adapter = healthy;
      perform(): void {}
    }
    const jobs = [BrokenJob.build(), HealthyJob.build(), BrokenJob.build()];
    await expect(performAllLater(jobs)).resolves.toBe(1);
    expect(jobs.map((j) => j.successfullyEnqueued)).toEqual([false, true, false]);
    expect(jobs[0]!.enqueueError?.message).toContain('connection lost');
  });

  it('throws SerializationError before anything is enqueued', async () => {
    const adapter = new RecordingAdapter();
    class ArgJob extends Job {
      static override adapter = adapter;
      perform(_x: unknown): void {}
    }
    const serialize = argumentsModule.serializeArguments;
    vi.spyOn(argumentsModule, 'serializeArguments').mockImplementation((args) => {
      if (args[0] === 'bad') throw new SerializationError('unsupported');
      return serialize(args);
    });
    await expect(performAllLater([ArgJob.build('good'), ArgJob.build('bad')])).rejects.toBeInstanceOf(SerializationError);
    expect(adapter.calls).toHaveLength(0);
  });

  it('returns 0 for an empty list', async () => {
    await expect(performAllLater([])).resolves.toBe(0);
  });
});
