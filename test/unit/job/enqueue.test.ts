import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdapterError, ConfigurationError, configure, EnqueueError, ENVELOPE_VERSION, Job, SerializationError } from '../../../src/index.js';
import * as argumentsModule from '../../../src/envelope/arguments.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => {
  resetConfiguration();
  vi.restoreAllMocks();
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RAILS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

function jobWith(adapter: RecordingAdapter) {
  return class SendEmailJob extends Job {
    static override adapter = adapter;
    static {
      this.queueAs('mailers');
      this.queueWithPriority(3);
    }
    perform(_userId: number, _subject: string): void {}
  };
}

describe('performLater', () => {
  it('returns the enqueued job with a UUID v4 jobId, its queue, priority and the adapter id', async () => {
    const adapter = new RecordingAdapter();
    adapter.providerJobId = 'broker-7';
    const job = await jobWith(adapter).performLater(42, 'hi');
    expect(job.jobId).toMatch(UUID_V4);
    expect(job.providerJobId).toBe('broker-7');
    expect(job.successfullyEnqueued).toBe(true);
    expect(job.queueName).toBe('mailers');
    expect(job.priority).toBe(3);
    expect(job.scheduledAt).toBeUndefined();
    expect(adapter.calls.map((c) => c.method)).toEqual(['enqueue']);
  });

  it('writes an envelope with Active Job keys and Rails 7.1 timestamps', async () => {
    const adapter = new RecordingAdapter();
    const job = await jobWith(adapter).performLater(42, 'hi');
    const envelope = adapter.envelopes[0]!;
    expect(envelope).toEqual({
      job_class: 'SendEmailJob',
      job_id: job.jobId,
      provider_job_id: null,
      queue_name: 'mailers',
      priority: 3,
      arguments: [42, 'hi'],
      executions: 0,
      exception_executions: {},
      locale: 'en',
      timezone: 'UTC',
      enqueued_at: expect.stringMatching(RAILS_TIME),
      scheduled_at: null,
      envelope_version: ENVELOPE_VERSION,
    });
  });

  it('goes through enqueueAt with the scheduled time for set({ wait }) and set({ waitUntil })', async () => {
    const adapter = new RecordingAdapter();
    const SendEmailJob = jobWith(adapter);
    const before = Date.now();
    const delayed = await SendEmailJob.set({ wait: 5_000 }).performLater(1, 'later');
    const until = new Date('2031-01-02T03:04:05.678Z');
    await SendEmailJob.set({ waitUntil: until }).performLater(2, 'at');

    expect(adapter.calls.map((c) => c.method)).toEqual(['enqueueAt', 'enqueueAt']);
    expect(adapter.calls[0]!.timestamp).toBeGreaterThanOrEqual(before + 5_000);
    expect(delayed.scheduledAt?.getTime()).toBe(adapter.calls[0]!.timestamp);
    expect(adapter.calls[1]!.timestamp).toBe(until.getTime());
    expect(adapter.envelopes[1]!.scheduled_at).toBe('2031-01-02T03:04:05.678000000Z');
  });

  it('overrides queue and priority with set()', async () => {
    const adapter = new RecordingAdapter();
    const job = await jobWith(adapter).set({ queue: 'urgent', priority: 1 }).performLater(1, 'x');
    expect(job.queueName).toBe('urgent');
    expect(adapter.envelopes[0]).toMatchObject({ queue_name: 'urgent', priority: 1 });
  });

  it('refuses wait together with waitUntil, and negative waits', () => {
    const SendEmailJob = jobWith(new RecordingAdapter());
    expect(() => SendEmailJob.build(1, 'x').set({ wait: 1, waitUntil: Date.now() })).toThrow(ConfigurationError);
    expect(() => SendEmailJob.build(1, 'x').set({ wait: -1 })).toThrow(ConfigurationError);
  });

  it('wraps an adapter failure in EnqueueError, keeping the cause, and records it on the job', async () => {
    const adapter = new RecordingAdapter();
    const refusal = new AdapterError('no delays here');
    adapter.fail = refusal;
    const seen: Array<[boolean, unknown]> = [];
    class FailingJob extends Job {
      static override adapter = adapter;
      static {
        this.afterEnqueue((job) => void seen.push([job.successfullyEnqueued, job.enqueueError]));
      }
      perform(): void {}
    }
    const failure = await FailingJob.performLater().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as EnqueueError).cause).toBe(refusal);
    expect((failure as EnqueueError).message).toContain('no delays here');
    // As in Rails, after_enqueue callbacks run and can see the failure.
    expect(seen).toEqual([[false, failure]]);
  });

  it('passes an EnqueueError from the adapter through unchanged', async () => {
    const adapter = new RecordingAdapter();
    adapter.fail = new EnqueueError('nacked');
    class NackedJob extends Job {
      static override adapter = adapter;
      perform(): void {}
    }
    await expect(NackedJob.performLater()).rejects.toBe(adapter.fail);
  });

  it('throws SerializationError at enqueue time, before the adapter is called', async () => {
    vi.spyOn(argumentsModule, 'serializeArguments').mockImplementation(() => {
      throw new SerializationError('unsupported argument: Function');
    });
    const adapter = new RecordingAdapter();
    class FnJob extends Job {
      static override adapter = adapter;
      perform(_fn: () => void): void {}
    }
    await expect(FnJob.performLater(() => undefined)).rejects.toBeInstanceOf(SerializationError);
    expect(adapter.calls).toHaveLength(0);
  });

  it('refuses an argument Active Job cannot carry with SerializationError, nothing enqueued', async () => {
    const adapter = new RecordingAdapter();
    class MapJob extends Job {
      static override adapter = adapter;
      perform(_lookup: Map<string, number>): void {}
    }
    await expect(MapJob.performLater(new Map([['a', 1]]))).rejects.toBeInstanceOf(SerializationError);
    expect(adapter.calls).toHaveLength(0);
  });

  it('merges chained set() options, a later wait replacing an earlier waitUntil', async () => {
    const adapter = new RecordingAdapter();
    const SendEmailJob = jobWith(adapter);
    const before = Date.now();
    const job = await SendEmailJob.set({ waitUntil: Date.UTC(2040, 0, 1), queue: 'a' })
      .set({ wait: 1_000 })
      .performLater(1, 'x');
    expect(job.queueName).toBe('a');
    expect(job.scheduledAt!.getTime()).toBeGreaterThanOrEqual(before + 1_000);
    expect(job.scheduledAt!.getTime()).toBeLessThan(Date.UTC(2040, 0, 1));
  });

  it('uses the global adapter unless the class (or an ancestor) sets its own', async () => {
    const globalAdapter = new RecordingAdapter('global');
    const classAdapter = new RecordingAdapter('class');
    configure({ adapter: globalAdapter });
    class DefaultJob extends Job {
      perform(): void {}
    }
    class OwnAdapterJob extends Job {
      static override adapter = classAdapter;
      perform(): void {}
    }
    class InheritingJob extends OwnAdapterJob {}
    await DefaultJob.performLater();
    await OwnAdapterJob.performLater();
    await InheritingJob.performLater();
    expect(globalAdapter.calls).toHaveLength(1);
    expect(classAdapter.calls).toHaveLength(2);
  });

  it('throws ConfigurationError when no adapter is configured', async () => {
    class OrphanJob extends Job {
      perform(): void {}
    }
    await expect(OrphanJob.performLater()).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('lets an instance be enqueued with job.enqueue(), reporting the outcome as a boolean', async () => {
    const adapter = new RecordingAdapter();
    const job = jobWith(adapter).build(7, 'direct');
    await expect(job.enqueue({ priority: 9 })).resolves.toBe(true);
    expect(adapter.envelopes[0]).toMatchObject({ arguments: [7, 'direct'], priority: 9 });
  });
});
