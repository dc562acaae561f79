import { describe, expect, it } from 'vitest';
import { abort, EnqueueError, executeEnvelope, Job, JobRegistry } from '../../../src/index.js';
import { envelopeOf } from '../../support/envelope.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';

class NetworkError extends Error {}
class TimeoutError extends NetworkError {}
class GoneError extends Error {}

async function execute(jobClass: typeof Job & (new () => Job), adapter = new RecordingAdapter(), overrides = {}) {
  const registry = new JobRegistry().register(jobClass as never);
  const result = await executeEnvelope(envelopeOf(jobClass.name, [], overrides), registry, { adapter });
  return { result, adapter };
}

describe('rescueFrom', () => {
  it('handles the error with the most recently declared matching handler', async () => {
    const handled: string[] = [];
    class RescuingJob extends Job {
      static {
        this.rescueFrom(NetworkError, () => void handled.push('network'));
        this.rescueFrom(TimeoutError, function (error) {
          handled.push(`timeout ${error.message} in ${this.constructor.name}`);
        });
      }
      perform(): void {
        throw new TimeoutError('slow');
      }
    }
    const { result } = await execute(RescuingJob);
    expect(result.outcome).toBe('performed');
    expect(handled).toEqual(['timeout slow in RescuingJob']);
  });

  it("searches the subclass's handlers before the parent's", async () => {
    const handled: string[] = [];
    class ParentJob extends Job {
      static {
        this.rescueFrom(TimeoutError, () => void handled.push('parent'));
      }
      perform(): void {
        throw new TimeoutError('slow');
      }
    }
    class ChildJob extends ParentJob {
      static {
        this.rescueFrom(NetworkError, () => void handled.push('child'));
      }
    }
    await execute(ChildJob);
    expect(handled).toEqual(['child']);
  });

  it("falls back to the error's cause when no handler matches the error itself", async () => {
    const handled: unknown[] = [];
    class WrappedJob extends Job {
      static {
        this.rescueFrom(GoneError, (error) => void handled.push(error));
      }
      perform(): void {
        throw new Error('wrapper', { cause: new GoneError('record gone') });
      }
    }
    const { result } = await execute(WrappedJob);
    expect(result.outcome).toBe('performed');
    expect(handled).toEqual([expect.any(GoneError)]);
  });

  it('accepts a list of error classes and a method name', async () => {
    const handled: string[] = [];
    class ListJob extends Job {
      static {
        this.rescueFrom([GoneError, NetworkError], 'recover');
      }
      recover(error: Error): void {
        handled.push(error.message);
      }
      perform(): void {
        throw new GoneError('gone');
      }
    }
    await execute(ListJob);
    expect(handled).toEqual(['gone']);
  });

  it('reports retried when the handler calls retryJob', async () => {
    class ManualRetryJob extends Job {
      static {
        this.rescueFrom(NetworkError, async function () {
          await this.retryJob({ queue: 'slow_lane' });
        });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const { result, adapter } = await execute(ManualRetryJob);
    expect(result.outcome).toBe('retried');
    expect(adapter.calls[0]).toMatchObject({ method: 'enqueueAt' });
    expect(adapter.envelopes[0]).toMatchObject({ queue_name: 'slow_lane', executions: 1 });
  });
});

describe('retryOn', () => {
  it('re-enqueues through enqueueAt with executions + 1 and the per-rule count under the Active Job key', async () => {
    class FlakyJob extends Job {
      static {
        this.retryOn([TimeoutError, GoneError], { wait: 2_000, jitter: 0 });
      }
      perform(): void {
        throw new TimeoutError('slow');
      }
    }
    const before = Date.now();
    const { result, adapter } = await execute(FlakyJob, undefined, {
      executions: 2,
      exception_executions: { '[TimeoutError, GoneError]': 2 },
      queue_name: 'critical',
      priority: 4,
    });
    expect(result.outcome).toBe('retried');
    const call = adapter.calls[0]!;
    expect(call.method).toBe('enqueueAt');
    expect(call.timestamp).toBeGreaterThanOrEqual(before + 2_000);
    expect(call.envelopes[0]).toMatchObject({
      job_id: '6f1f8d1e-64a0-4f8a-9d55-0c0b3c1e2f3a',
      executions: 3,
      exception_executions: { '[TimeoutError, GoneError]': 3 },
      queue_name: 'critical',
      priority: 4,
      arguments: [],
    });
    expect(call.envelopes[0]!.scheduled_at).not.toBeNull();
  });

  it('retries on the queue and priority the rule names', async () => {
    class MovingJob extends Job {
      static {
        this.retryOn(NetworkError, { wait: 0, queue: 'retries', priority: 20 });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const { adapter } = await execute(MovingJob);
    expect(adapter.envelopes[0]).toMatchObject({ queue_name: 'retries', priority: 20 });
  });

  it('waits polynomially longer, computed from the rule count', async () => {
    class SlowJob extends Job {
      static {
        this.retryOn(NetworkError, { wait: 'polynomiallyLonger', jitter: 0, attempts: 10 });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const before = Date.now();
    const { adapter } = await execute(SlowJob, undefined, { exception_executions: { '[NetworkError]': 1 } });
    const waited = adapter.calls[0]!.timestamp! - before;
    expect(waited).toBeGreaterThanOrEqual(18_000);
    expect(waited).toBeLessThan(18_000 + 10_000);
  });

  it('lets the error propagate once attempts are exhausted, after running afterDiscard', async () => {
    const discarded: unknown[] = [];
    class DoomedJob extends Job {
      static {
        this.retryOn(NetworkError, { attempts: 3, wait: 0 });
        this.afterDiscard((job, error) => void discarded.push([job.executions, error]));
      }
      perform(): void {
        throw new NetworkError('still down');
      }
    }
    const adapter = new RecordingAdapter();
    await expect(execute(DoomedJob, adapter, { executions: 2, exception_executions: { '[NetworkError]': 2 } })).rejects.toThrow('still down');
    expect(adapter.calls).toHaveLength(0);
    expect(discarded).toEqual([[3, expect.any(NetworkError)]]);
  });

  it('calls the give-up handler instead of propagating, and reports discarded', async () => {
    const gaveUp: number[] = [];
    class PoliteJob extends Job {
      static {
        this.retryOn(NetworkError, { attempts: 1 }, (job) => void gaveUp.push(job.executions));
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const { result } = await execute(PoliteJob);
    expect(result.outcome).toBe('discarded');
    expect(gaveUp).toEqual([1]);
  });

  it('retries without limit with attempts: unlimited', async () => {
    class StubbornJob extends Job {
      static {
        this.retryOn(NetworkError, { attempts: 'unlimited', wait: 0 });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const { result } = await execute(StubbornJob, undefined, { exception_executions: { '[NetworkError]': 10_000 } });
    expect(result.outcome).toBe('retried');
  });

  it('rejects with the EnqueueError when the retry cannot be enqueued, so the job is not lost', async () => {
    class UnluckyJob extends Job {
      static {
        this.retryOn(NetworkError, { wait: 0 });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const adapter = new RecordingAdapter();
    adapter.fail = new Error('connection closed');
    await expect(execute(UnluckyJob, adapter)).rejects.toBeInstanceOf(EnqueueError);
  });

  it('runs enqueue callbacks for a retry; one that halts it ends the job as discarded', async () => {
    const log: string[] = [];
    class GuardedJob extends Job {
      static {
        this.retryOn(NetworkError, { wait: 0 });
        this.beforeEnqueue(() => {
          log.push('before enqueue');
          throw abort();
        });
      }
      perform(): void {
        throw new NetworkError('down');
      }
    }
    const { result, adapter } = await execute(GuardedJob);
    expect(result.outcome).toBe('discarded');
    expect(log).toEqual(['before enqueue']);
    expect(adapter.calls).toHaveLength(0);
  });

  it('refuses invalid options when declared', () => {
    expect(() => {
      class BadJob extends Job {
        static {
          this.retryOn(NetworkError, { attempts: 0 });
        }
        perform(): void {}
      }
      return BadJob;
    }).toThrow(/attempts/);
  });
});

describe('discardOn and afterDiscard', () => {
  it('discards the job, calling the handler and then afterDiscard callbacks', async () => {
    const log: string[] = [];
    class ObsoleteJob extends Job {
      static {
        this.afterDiscard((_job, error) => void log.push(`after discard ${(error as Error).message}`));
        this.discardOn(GoneError, (job, error) => void log.push(`handler ${job.executions} ${error.message}`));
      }
      perform(): void {
        throw new GoneError('record deleted');
      }
    }
    const { result, adapter } = await execute(ObsoleteJob);
    expect(result.outcome).toBe('discarded');
    expect(log).toEqual(['handler 1 record deleted', 'after discard record deleted']);
    expect(adapter.calls).toHaveLength(0);
  });

  it('runs afterDiscard callbacks for an unhandled error too, which still propagates', async () => {
    const log: string[] = [];
    class CrashingJob extends Job {
      static {
        this.afterDiscard(() => void log.push('after discard'));
      }
      perform(): void {
        throw new Error('crash');
      }
    }
    await expect(execute(CrashingJob)).rejects.toThrow('crash');
    expect(log).toEqual(['after discard']);
  });

  it("runs every afterDiscard callback, and rethrows the last one's error as Rails does", async () => {
    const log: string[] = [];
    class NoisyJob extends Job {
      static {
        this.discardOn(GoneError);
        this.afterDiscard(() => {
          log.push('first');
          throw new Error('first failed');
        });
        this.afterDiscard(() => {
          log.push('second');
          throw new Error('second failed');
        });
      }
      perform(): void {
        throw new GoneError('gone');
      }
    }
    await expect(execute(NoisyJob)).rejects.toThrow('second failed');
    expect(log).toEqual(['first', 'second']);
  });
});
