import { afterEach, describe, expect, it } from 'vitest';
import {
  AsyncAdapter,
  CalendarDate,
  configure,
  currentLocale,
  Decimal,
  DeserializationError,
  EnqueueError,
  executeEnvelope,
  GlobalId,
  type HandlerContext,
  HandlerWorker,
  InlineAdapter,
  Job,
  JobRegistry,
  JobTimeoutError,
  registerLocator,
  RegistrationError,
  SerializationError,
  UnknownJobError,
  withLocale,
} from '../../../src/index.js';
import { performEnqueuedJobs, resetArgumentRegistries, resetConfiguration, TestAdapter } from '../../../src/testing/index.js';

afterEach(() => {
  resetConfiguration();
  resetArgumentRegistries();
});

function testWorker(): { worker: HandlerWorker; adapter: TestAdapter } {
  const registry = new JobRegistry();
  const adapter = new TestAdapter({ registry });
  return { worker: new HandlerWorker({ registry, adapter }), adapter };
}

describe('HandlerWorker on in-process adapters', () => {
  it('enqueues a handler job as an ordinary envelope: the handler name as job_class, the args hash as the one argument', async () => {
    const { worker, adapter } = testWorker();
    worker.register('send_email', () => undefined, { queue: 'mailers' });
    const enqueued = await worker.perform({ handler: 'send_email', args: { user_id: 123 } });

    expect(enqueued).toMatchObject({ handler: 'send_email', queue: 'mailers', scheduledAt: undefined });
    const [recorded] = adapter.enqueuedJobs;
    expect(recorded?.envelope).toMatchObject({
      job_class: 'send_email',
      job_id: enqueued.jobId,
      queue_name: 'mailers',
      arguments: [{ user_id: 123, _aj_symbol_keys: [] }],
      envelope_version: 1,
    });
  });

  it('performs the handler with the args and a context carrying the job, locale and timezone', async () => {
    const { worker, adapter } = testWorker();
    const calls: Array<{ args: unknown; context: HandlerContext; locale: string }> = [];
    worker.register('send_email', (args, context) => void calls.push({ args, context, locale: currentLocale() }));
    const enqueued = await withLocale('es', () => worker.perform({ handler: 'send_email', args: { user_id: 123, subject: 'Hola' } }));

    await performEnqueuedJobs(adapter);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).toEqual({ user_id: 123, subject: 'Hola' });
    expect(calls[0]!.locale).toBe('es');
    expect(calls[0]!.context).toMatchObject({
      handler: 'send_email',
      jobId: enqueued.jobId,
      queue: 'default',
      executions: 1,
      locale: 'es',
      timezone: 'UTC',
    });
    expect(calls[0]!.context.signal.aborted).toBe(false);
  });

  it('carries every argument type through the envelope: nested objects, dates, big numbers, GlobalID records', async () => {
    const { worker, adapter } = testWorker();
    registerLocator('Invoice', { find: (id) => ({ id, total: 10 }) });
    let received: unknown;
    worker.register('bill', (args) => void (received = args));
    const args = {
      invoice: GlobalId.create('Invoice', 42),
      customer: { name: 'Zoë', tags: ['vip'], address: { city: 'Sevilla' } },
      due_on: new CalendarDate(2024, 5, 31),
      sent_at: new Date('2024-05-01T12:30:45.123Z'),
      cents: 9_007_199_254_740_993n,
      total: new Decimal('10.01'),
    };
    await worker.perform({ handler: 'bill', args });
    await performEnqueuedJobs(adapter);

    expect(received).toEqual({ ...args, invoice: { id: '42', total: 10 } });
  });

  it('performs on the async adapter and the inline adapter', async () => {
    const registry = new JobRegistry();
    const asyncAdapter = new AsyncAdapter({ registry });
    const seen: string[] = [];
    const asyncWorker = new HandlerWorker({ registry, adapter: asyncAdapter });
    asyncWorker.register('note', ({ text }) => void seen.push(String(text)));
    await asyncWorker.start();
    await asyncWorker.perform({ handler: 'note', args: { text: 'async' } });
    await asyncAdapter.drain();
    await asyncWorker.stop();

    const inlineRegistry = new JobRegistry();
    const inlineWorker = new HandlerWorker({ registry: inlineRegistry, adapter: new InlineAdapter({ registry: inlineRegistry }) });
    inlineWorker.register('note', ({ text }) => void seen.push(String(text)));
    await inlineWorker.perform({ handler: 'note', args: { text: 'inline' } });

    expect(seen).toEqual(['async', 'inline']);
    await asyncAdapter.close();
  });

  it('performIn and performAt schedule the job through the adapter', async () => {
    const { worker, adapter } = testWorker();
    worker.register('remind', () => undefined);
    const before = Date.now();
    const inFive = await worker.performIn({ handler: 'remind', args: {} }, 5_000);
    const at = new Date('2030-01-01T00:00:00Z');
    const later = await worker.performAt({ handler: 'remind', queue: 'later', priority: 3 }, at);

    expect(inFive.scheduledAt!.getTime()).toBeGreaterThanOrEqual(before + 5_000);
    expect(adapter.enqueuedJobs[0]!.scheduledAt).toEqual(inFive.scheduledAt);
    expect(later).toMatchObject({ queue: 'later', priority: 3, scheduledAt: at });
    expect(adapter.enqueuedJobs[1]!.envelope).toMatchObject({ queue_name: 'later', priority: 3, scheduled_at: '2030-01-01T00:00:00.000000000Z' });
  });

  it('refuses a delay on an adapter without delays (inline) with an EnqueueError', async () => {
    const registry = new JobRegistry();
    const worker = new HandlerWorker({ registry, adapter: new InlineAdapter({ registry }) });
    worker.register('remind', () => undefined);
    await expect(worker.performIn({ handler: 'remind' }, 1_000)).rejects.toThrow(EnqueueError);
  });

  it('applies the queue-name prefix to handler queues, as for job classes', async () => {
    configure({ queueNamePrefix: 'prod' });
    const { worker, adapter } = testWorker();
    worker.register('send_email', () => undefined, { queue: 'mailers' });
    await worker.perform({ handler: 'send_email' });
    await worker.perform({ handler: 'send_email', queue: 'urgent' });
    expect(adapter.enqueuedJobs.map((job) => job.envelope.queue_name)).toEqual(['prod_mailers', 'prod_urgent']);
  });

  it('refuses a name registered twice, by a handler or a job class in the same registry', () => {
    class Billing extends Job {
      static override jobName = 'billing';
      perform(): void {}
    }
    const registry = new JobRegistry().register(Billing);
    const worker = new HandlerWorker({ registry, adapter: new TestAdapter({ registry }) });
    worker.register('send_email', () => undefined);
    expect(() => worker.register('send_email', () => undefined)).toThrow(RegistrationError);
    expect(() => worker.register('send_email', () => undefined)).toThrow('handler name "send_email" is already registered, by a handler');
    expect(() => worker.register('billing', () => undefined)).toThrow('already registered, by a job class');
    expect(() => worker.register('', () => undefined)).toThrow(RegistrationError);
    expect(() => worker.register('x'.repeat(256), () => undefined)).toThrow(RegistrationError);
    expect(() => worker.register('not_a_function', 'nope' as never)).toThrow(RegistrationError);
    expect(registry.resolve('send_email').kind).toBe('handler');
  });

  it('refuses to perform an unregistered handler, before anything is enqueued', async () => {
    const { worker, adapter } = testWorker();
    await expect(worker.perform({ handler: 'send_mail', args: {} })).rejects.toThrow(UnknownJobError);
    await expect(worker.perform({ handler: 'send_mail', args: {} })).rejects.toThrow(/unknown handler "send_mail"/);
    expect(adapter.enqueuedJobs).toHaveLength(0);
  });

  it('refuses args that are not a plain object, and argument values that cannot travel, at enqueue', async () => {
    const { worker, adapter } = testWorker();
    worker.register('send_email', () => undefined);
    await expect(worker.perform({ handler: 'send_email', args: [1, 2] as never })).rejects.toThrow(SerializationError);
    await expect(worker.perform({ handler: 'send_email', args: { when: new Map() } })).rejects.toThrow(SerializationError);
    expect(adapter.enqueuedJobs).toHaveLength(0);
  });

  it('reads a received handler job with no arguments as {}, and fails one whose arguments are not one hash', async () => {
    const { worker, adapter } = testWorker();
    const seen: unknown[] = [];
    worker.register('send_email', (args) => void seen.push(args));
    await worker.perform({ handler: 'send_email', args: { user_id: 1 } });
    const envelope = adapter.enqueuedJobs[0]!.envelope;
    await expect(executeEnvelope({ ...envelope, arguments: [] }, worker.registry)).resolves.toMatchObject({ outcome: 'performed' });
    await expect(executeEnvelope({ ...envelope, arguments: [1, 2] }, worker.registry)).rejects.toThrow(DeserializationError);
    await expect(executeEnvelope({ ...envelope, arguments: ['x'] }, worker.registry)).rejects.toThrow(/takes one argument, a hash/);
    expect(seen).toEqual([{}]);
  });

  it('retries a failing handler with its retry option, then lets the error through when attempts are exhausted', async () => {
    const { worker, adapter } = testWorker();
    class SmtpError extends Error {}
    let attempts = 0;
    worker.register(
      'send_email',
      () => {
        attempts += 1;
        throw new SmtpError('421 try later');
      },
      { retry: { on: SmtpError, attempts: 3, wait: 0 } },
    );
    await worker.perform({ handler: 'send_email', args: { user_id: 1 } });
    await expect(performEnqueuedJobs(adapter, { untilEmpty: true })).rejects.toThrow('421 try later');
    expect(attempts).toBe(3);
    const lastRetry = adapter.performedJobs.at(-1)!.envelope;
    expect(lastRetry).toMatchObject({ executions: 2, exception_executions: { '[SmtpError]': 2 } });
  });

  it('never retries a DeserializationError (a missing record), even when retrying every error', async () => {
    const { worker, adapter } = testWorker();
    registerLocator('User', { find: () => null });
    let calls = 0;
    worker.register('greet', () => void (calls += 1), { retry: { attempts: 5, wait: 0 } });
    await worker.perform({ handler: 'greet', args: { user: GlobalId.create('User', 7) } });
    await expect(performEnqueuedJobs(adapter, { untilEmpty: true })).rejects.toThrow(/Couldn't find User with id 7/);
    expect(calls).toBe(0);
    expect(adapter.enqueuedJobs).toHaveLength(0);
  });

  it('drops a job whose error is listed in discard', async () => {
    const { worker, adapter } = testWorker();
    class Gone extends Error {}
    worker.register('cleanup', () => Promise.reject(new Gone('already deleted')), { discard: Gone });
    await worker.perform({ handler: 'cleanup' });
    await expect(performEnqueuedJobs(adapter)).resolves.toBe(1);
    expect(adapter.enqueuedJobs).toHaveLength(0);
  });

  it('aborts the context signal and fails with JobTimeoutError when the handler runs past its timeout', async () => {
    const { worker, adapter } = testWorker();
    let aborted = false;
    worker.register(
      'slow',
      (_args, { signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
      { timeout: 20 },
    );
    await worker.perform({ handler: 'slow' });
    await expect(performEnqueuedJobs(adapter)).rejects.toThrow(JobTimeoutError);
    expect(aborted).toBe(true);
  });

  it('shares a registry with job classes, so one worker performs both', async () => {
    const performed: string[] = [];
    class ReportJob extends Job {
      static override jobName = 'ReportJob';
      perform(): void {
        performed.push('job');
      }
    }
    const registry = new JobRegistry().register(ReportJob);
    const adapter = new TestAdapter({ registry });
    configure({ adapter });
    const worker = new HandlerWorker({ registry, adapter });
    worker.register('report', () => void performed.push('handler'));
    await ReportJob.performLater();
    await worker.perform({ handler: 'report' });
    await performEnqueuedJobs(adapter);
    expect(performed).toEqual(['job', 'handler']);
    expect(registry.descriptors().map(({ name, kind }) => ({ name, kind }))).toEqual([
      { name: 'ReportJob', kind: 'job' },
      { name: 'report', kind: 'handler' },
    ]);
  });
});
