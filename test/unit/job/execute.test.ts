import { getEventListeners } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  currentLocale,
  currentTimezone,
  DeserializationError,
  type Envelope,
  EnvelopeError,
  executeEnvelope,
  Job,
  JobRegistry,
  JobTimeoutError,
  jsonCodec,
  UnknownJobError,
} from '../../../src/index.js';
import * as argumentsModule from '../../../src/envelope/arguments.js';
import { envelopeOf } from '../../support/envelope.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';

afterEach(() => vi.restoreAllMocks());

describe('executeEnvelope', () => {
  it('performs a registered job with its arguments and resolves performed with a duration', async () => {
    const seen: unknown[] = [];
    class AddJob extends Job {
      perform(a: number, b: number): void {
        seen.push(a + b, this.executions, this.jobId);
      }
    }
    const registry = new JobRegistry().register(AddJob);
    const result = await executeEnvelope(envelopeOf('AddJob', [2, 3]), registry);
    expect(result.outcome).toBe('performed');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([5, 1, '6f1f8d1e-64a0-4f8a-9d55-0c0b3c1e2f3a']);
  });

  it('rejects an unregistered job name with UnknownJobError without instantiating anything', async () => {
    await expect(executeEnvelope(envelopeOf('Kernel'), new JobRegistry())).rejects.toBeInstanceOf(UnknownJobError);
  });

  it('resolves skipped when a callback halts perform', async () => {
    class GatedJob extends Job {
      static {
        this.aroundPerform(() => undefined);
      }
      perform(): void {
        throw new Error('must not run');
      }
    }
    const result = await executeEnvelope(envelopeOf('GatedJob'), new JobRegistry().register(GatedJob));
    expect(result.outcome).toBe('skipped');
  });

  it("restores the envelope's locale and timezone around perform, readable from the job and the context", async () => {
    const seen: unknown[] = [];
    class LocalizedJob extends Job {
      static {
        this.beforePerform(() => void seen.push(currentLocale()));
      }
      perform(): void {
        seen.push(this.locale, this.timezone, currentLocale(), currentTimezone());
      }
    }
    await executeEnvelope(envelopeOf('LocalizedJob', [], { locale: 'es', timezone: 'Europe/Madrid' }), new JobRegistry().register(LocalizedJob));
    expect(seen).toEqual(['es', 'es', 'Europe/Madrid', 'es', 'Europe/Madrid']);
    expect(currentLocale()).toBe('en');
  });

  it('exposes the envelope state on the job: queue, priority, times, provider id, executions', async () => {
    let job: Job | undefined;
    class InspectJob extends Job {
      perform(): void {
        job = this;
      }
    }
    await executeEnvelope(
      envelopeOf('InspectJob', [], {
        queue_name: 'q1',
        priority: 7,
        provider_job_id: 'p-1',
        executions: 4,
        scheduled_at: '2024-05-01T12:00:05.123456789Z',
      }),
      new JobRegistry().register(InspectJob),
    );
    expect(job).toMatchObject({ queueName: 'q1', priority: 7, providerJobId: 'p-1', executions: 5 });
    expect(job!.enqueuedAt?.toISOString()).toBe('2024-05-01T12:00:00.123Z');
    expect(job!.scheduledAt?.toISOString()).toBe('2024-05-01T12:00:05.123Z');
  });

  it('reads a Rails envelope that lacks executions, exception_executions and envelope_version', async () => {
    const seen: unknown[] = [];
    class LegacyJob extends Job {
      perform(name: string): void {
        seen.push(name, this.executions, this.exceptionExecutions);
      }
    }
    const legacy = envelopeOf('LegacyJob', ['x']) as Partial<Envelope>;
    delete legacy.executions;
    delete legacy.exception_executions;
    delete legacy.envelope_version;
    await executeEnvelope(legacy as Envelope, new JobRegistry().register(LegacyJob));
    expect(seen).toEqual(['x', 1, {}]);
  });

  it('counts the execution before deserializing, so discardOn(DeserializationError) handles a missing record', async () => {
    vi.spyOn(argumentsModule, 'readArguments').mockRejectedValue(new DeserializationError('Post 9 not found'));
    const discarded: number[] = [];
    class PostJob extends Job {
      static {
        this.discardOn(DeserializationError, (job) => void discarded.push(job.executions));
      }
      perform(_post: unknown): void {}
    }
    const result = await executeEnvelope(envelopeOf('PostJob', [{ _aj_globalid: 'gid://app/Post/9' }]), new JobRegistry().register(PostJob));
    expect(result.outcome).toBe('discarded');
    expect(discarded).toEqual([1]);
  });

  it('rejects with DeserializationError when no rule handles it', async () => {
    vi.spyOn(argumentsModule, 'readArguments').mockRejectedValue(new DeserializationError('unknown serializer'));
    class PlainJob extends Job {
      perform(): void {}
    }
    await expect(executeEnvelope(envelopeOf('PlainJob', [1]), new JobRegistry().register(PlainJob))).rejects.toBeInstanceOf(DeserializationError);
  });

  it("aborts the job's signal and fails with JobTimeoutError when perform outlives the job's timeout", async () => {
    let signal: AbortSignal | undefined;
    class SlowJob extends Job {
      static override timeout = 20;
      async perform(): Promise<void> {
        signal = this.signal;
        await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve()));
      }
    }
    const registry = new JobRegistry().register(SlowJob);
    await expect(executeEnvelope(envelopeOf('SlowJob'), registry)).rejects.toBeInstanceOf(JobTimeoutError);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(JobTimeoutError);
  });

  it('lets retryOn(JobTimeoutError) retry a timed-out job', async () => {
    class RetriedSlowJob extends Job {
      static override timeout = 10;
      static {
        this.retryOn(JobTimeoutError, { wait: 0 });
      }
      async perform(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5_000).unref());
      }
    }
    const adapter = new RecordingAdapter();
    const result = await executeEnvelope(envelopeOf('RetriedSlowJob'), new JobRegistry().register(RetriedSlowJob), {
      adapter,
    });
    expect(result.outcome).toBe('retried');
    expect(adapter.envelopes[0]?.exception_executions).toEqual({ '[JobTimeoutError]': 1 });
  });

  it("hands the caller's signal to perform", async () => {
    const controller = new AbortController();
    let seen: boolean | undefined;
    class WatchfulJob extends Job {
      perform(): void {
        controller.abort();
        seen = this.signal.aborted;
      }
    }
    await executeEnvelope(envelopeOf('WatchfulJob'), new JobRegistry().register(WatchfulJob), { signal: controller.signal });
    expect(seen).toBe(true);
  });

  it("gives each execution a signal of its own: what perform adds to it does not stay on the caller's signal", async () => {
    const worker = new AbortController();
    const signals: AbortSignal[] = [];
    class ListeningJob extends Job {
      perform(): void {
        signals.push(this.signal);
        this.signal.addEventListener('abort', () => {}); // never removed, as jobs often do
      }
    }
    const registry = new JobRegistry().register(ListeningJob);
    for (let i = 0; i < 3; i++) await executeEnvelope(envelopeOf('ListeningJob'), registry, { signal: worker.signal });
    expect(new Set(signals).size).toBe(3);
    expect(signals).not.toContain(worker.signal);
    expect(getEventListeners(worker.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the signal of a running job when the caller aborts, with the same reason', async () => {
    const worker = new AbortController();
    let reason: unknown;
    class WaitingJob extends Job {
      async perform(): Promise<void> {
        await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve()));
        reason = this.signal.reason;
      }
    }
    const running = executeEnvelope(envelopeOf('WaitingJob'), new JobRegistry().register(WaitingJob), { signal: worker.signal });
    await new Promise((resolve) => setImmediate(resolve));
    worker.abort(new Error('shutting down'));
    await running;
    expect(reason).toEqual(new Error('shutting down'));
  });

  it('refuses to re-send received arguments holding a number JSON cannot carry (a retry is checked in full)', async () => {
    const adapter = new RecordingAdapter();
    class BouncingJob extends Job {
      static override adapter = adapter;
      static {
        this.retryOn(DeserializationError, { wait: 0 });
      }
      perform(_value: number): void {}
    }
    // What a decoded body with 1e400 in its arguments holds: it fails to deserialize, and the retry re-sends it.
    const result = await executeEnvelope(envelopeOf('BouncingJob', [Number.POSITIVE_INFINITY]), new JobRegistry().register(BouncingJob), { adapter });
    expect(result.outcome).toBe('retried');
    expect(adapter.envelopes).toHaveLength(1);
    expect(() => jsonCodec.encode(adapter.envelopes[0]!)).toThrow(EnvelopeError);
  });

  it("sends retries to the adapter given in the options rather than the class's", async () => {
    const classAdapter = new RecordingAdapter('class');
    const workerAdapter = new RecordingAdapter('worker');
    class BouncingJob extends Job {
      static override adapter = classAdapter;
      static {
        this.retryOn(Error, { wait: 0 });
      }
      perform(): void {
        throw new Error('again');
      }
    }
    await executeEnvelope(envelopeOf('BouncingJob'), new JobRegistry().register(BouncingJob), { adapter: workerAdapter });
    expect(workerAdapter.calls).toHaveLength(1);
    expect(classAdapter.calls).toHaveLength(0);
  });

  it("re-sends the received arguments verbatim on retry, and keeps the job's locale", async () => {
    const adapter = new RecordingAdapter();
    class EchoJob extends Job {
      static override adapter = adapter;
      static {
        this.retryOn(Error, { wait: 0 });
      }
      perform(): void {
        throw new Error('again');
      }
    }
    const wire = [{ _aj_symbol_keys: ['a'], a: 1 }];
    await executeEnvelope(envelopeOf('EchoJob', wire, { locale: 'fr' }), new JobRegistry().register(EchoJob));
    expect(adapter.envelopes[0]).toMatchObject({ arguments: wire, locale: 'fr' });
  });
});

describe('performNow', () => {
  it("returns perform's value and runs callbacks", async () => {
    const log: string[] = [];
    class SumJob extends Job {
      static {
        this.beforePerform(() => void log.push('before'));
      }
      perform(a: number, b: number): number {
        return a + b;
      }
    }
    const value: number | undefined = await SumJob.performNow(2, 3);
    expect(value).toBe(5);
    expect(log).toEqual(['before']);
  });

  it('without callbacks (perform alone): returns sync and async values, halts on abort(), and applies rescue rules to sync throws', async () => {
    class PlainJob extends Job {
      static {
        this.rescueFrom(RangeError, () => undefined);
      }
      perform(mode: string): unknown {
        if (mode === 'sync') return 'sync value';
        if (mode === 'async') return Promise.resolve('async value');
        if (mode === 'halt') this.abort();
        if (mode === 'halt later') return Promise.resolve().then(() => this.abort());
        if (mode === 'rescued') throw new RangeError('handled by rescueFrom');
        throw new Error('unhandled');
      }
    }
    expect(await PlainJob.performNow('sync')).toBe('sync value');
    expect(await PlainJob.performNow('async')).toBe('async value');
    const registry = new JobRegistry().register(PlainJob);
    const run = (mode: string) => executeEnvelope(envelopeOf('PlainJob', [mode]), registry);
    await expect(run('halt')).resolves.toMatchObject({ outcome: 'skipped' });
    await expect(run('halt later')).resolves.toMatchObject({ outcome: 'skipped' });
    await expect(run('rescued')).resolves.toMatchObject({ outcome: 'performed' });
    await expect(run('other')).rejects.toThrow('unhandled');
  });

  it("does not put a failure of the 'performed' log line through the job's rescue rules (sync perform)", async () => {
    const rescued: unknown[] = [];
    class LoggedJob extends Job {
      static {
        this.rescueFrom(Error, (error) => void rescued.push(error));
      }
      perform(): string {
        return 'done';
      }
    }
    const sink = {
      write(line: string): void {
        if (line.includes('"performed"')) throw new Error('log sink down');
      },
    };
    const result = executeEnvelope(envelopeOf('LoggedJob'), new JobRegistry().register(LoggedJob), { logger: pino({ level: 'info' }, sink) });
    await expect(result).rejects.toThrow('log sink down');
    expect(rescued).toEqual([]);
  });

  it("keeps a job's internal state out of copies and deep equality", async () => {
    class CopiedJob extends Job {
      perform(): void {}
    }
    const job = CopiedJob.build();
    await job.performNow();
    expect(Object.getOwnPropertySymbols({ ...job })).toEqual([]);
    const twin = CopiedJob.build();
    twin.jobId = job.jobId;
    twin.executions = job.executions;
    expect(twin).toEqual(job);
  });

  it("retries through the job's adapter, as Rails does", async () => {
    const adapter = new RecordingAdapter();
    class NowJob extends Job {
      static override adapter = adapter;
      static {
        this.retryOn(Error, { wait: 0 });
      }
      perform(_x: string): void {
        throw new Error('later then');
      }
    }
    await expect(NowJob.performNow('x')).resolves.toBeUndefined();
    expect(adapter.envelopes[0]).toMatchObject({ job_class: 'NowJob', executions: 1, arguments: ['x'] });
  });

  it('applies set() options to the job performed now (used by its retries)', async () => {
    const adapter = new RecordingAdapter();
    class ConfiguredNowJob extends Job {
      static override adapter = adapter;
      static {
        this.retryOn(Error, { wait: 0 });
      }
      perform(): void {
        throw new Error('retry me');
      }
    }
    await ConfiguredNowJob.set({ queue: 'elsewhere', priority: 2 }).performNow();
    expect(adapter.envelopes[0]).toMatchObject({ queue_name: 'elsewhere', priority: 2 });
  });
});
