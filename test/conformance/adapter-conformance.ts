/**
 * Adapter conformance: the same job scenarios, run on every queue adapter.
 *
 * Add an adapter with a file test/conformance/<name>.test.ts:
 *
 *   defineAdapterConformance('amqp', async ({ registry, queues, onJobFailed }) => {
 *     const adapter = ...;                       // enqueues to uniquely named queues
 *     const worker = ...;                        // consumes `queues`, performs from `registry`
 *     worker.on('job:failed', onJobFailed);
 *     return { adapter, delays: 'honored', drain: () => worker.idle(), close: () => ... };
 *   });
 *
 * The factory runs before each test (and the target's close() after it). It gets a
 * ConformanceContext:
 *   registry     every scenario job class, registered: perform from this registry only.
 *   queues       every queue name the scenarios use, prefix included (unique per suite):
 *                declare and consume these.
 *   onJobFailed  call it with the error (and the envelope, when known) whenever an
 *                execution rejects, i.e. a job failed and no rule handled it.
 * and returns a ConformanceTarget:
 *   adapter      the QueueAdapter under test; every scenario enqueues through it, and the
 *                execution of its jobs must pass it as executeEnvelope's `adapter` (retries).
 *   delays       'honored': delayed jobs run no earlier than their time;
 *                'recorded': delays are accepted and recorded, drain() runs jobs at once
 *                (the test adapter); 'refused': delayed enqueues are rejected (inline).
 *   drain()      resolves once every job enqueued so far, and every job those jobs
 *                enqueued (retries, delayed ones included), has been performed or failed.
 *   close()      releases everything.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  Decimal,
  Duration,
  EnqueueError,
  type Envelope,
  JobRegistry,
  performAllLater,
  type QueueAdapter,
  registerLocator,
  RubySymbol,
  withLocale,
  withTimezone,
} from '../../src/index.js';
import { defineScenarioJobs, FlakyError, SCENARIO_QUEUES, ScenarioPost, type Recorder } from './scenario-jobs.js';

export interface ConformanceContext {
  registry: JobRegistry;
  queues: readonly string[];
  onJobFailed: (error: unknown, envelope?: Envelope) => void;
}

export interface ConformanceTarget {
  adapter: QueueAdapter;
  delays: 'honored' | 'recorded' | 'refused';
  drain(): Promise<void>;
  close(): Promise<void>;
}

export type ConformanceFactory = (context: ConformanceContext) => ConformanceTarget | Promise<ConformanceTarget>;

export function defineAdapterConformance(name: string, factory: ConformanceFactory): void {
  describe(`${name} adapter conformance`, () => {
    const prefix = `conf-${randomUUID().slice(0, 8)}`;
    const recorder: Recorder = { performs: [], events: [] };
    const jobs = defineScenarioJobs(prefix, recorder);
    const registry = new JobRegistry().register(...Object.values(jobs));
    const queues = SCENARIO_QUEUES.map((part) => `${prefix}_${part}`);
    const failures: unknown[] = [];
    const posts = new Map([['1', new ScenarioPost('1', 'Hello')]]);
    registerLocator(ScenarioPost.modelName, { find: (id) => posts.get(id) });
    let target: ConformanceTarget;

    beforeEach(async () => {
      recorder.performs.length = 0;
      recorder.events.length = 0;
      failures.length = 0;
      target = await factory({ registry, queues, onJobFailed: (error) => failures.push(error) });
      for (const jobClass of Object.values(jobs)) jobClass.adapter = target.adapter;
    });

    afterEach(async () => {
      await target.close();
    });

    const performsOf = (job: string) => recorder.performs.filter((p) => p.job === job);

    it('hands perform its arguments intact after the envelope round trip', async () => {
      const args = [null, true, false, 0, -1.5, 2 ** 53 - 1, 'text', 'ünïcødé ✓', [1, [2, ['x']]], { a: { b: [1, null], c: {} } }, []];
      await jobs.ArgumentsJob.performLater(...args);
      await target.drain();
      expect(performsOf('ArgumentsJob').map((p) => p.args)).toEqual([args]);
      expect(failures).toEqual([]);
    });

    it('hands perform Active Job typed arguments intact: times, big integers, symbols, decimals, durations', async () => {
      const args = [
        new Date('2024-05-01T12:34:56.789Z'),
        2n ** 70n,
        new RubySymbol('pending'),
        new Decimal('12.50'),
        Duration.of({ hours: 1, minutes: 30 }),
        { when: new Date(0), tags: [new RubySymbol('a')] },
      ];
      await jobs.ArgumentsJob.performLater(...args);
      await target.drain();
      expect(performsOf('ArgumentsJob').map((p) => p.args)).toEqual([args]);
      expect(failures).toEqual([]);
    });

    it('locates GlobalID records at perform, and discardOn(DeserializationError) drops a job whose record is gone', async () => {
      await jobs.RecordJob.performLater(posts.get('1')!);
      await jobs.RecordJob.performLater(new ScenarioPost('404', 'never stored'));
      await target.drain();
      expect(recorder.events.sort()).toEqual(['discarded_missing_record', 'located Hello']);
      expect(failures).toEqual([]);
    });

    it("restores the enqueuer's locale and timezone around perform", async () => {
      await withLocale('es', () => withTimezone('Europe/Madrid', () => jobs.ContextJob.performLater('ctx')));
      await target.drain();
      expect(performsOf('ContextJob')).toEqual([
        expect.objectContaining({ locale: 'es', timezone: 'Europe/Madrid', contextLocale: 'es', contextTimezone: 'Europe/Madrid' }),
      ]);
    });

    it('carries queue and priority, from the class and from set()', async () => {
      const fromClass = await jobs.ContextJob.performLater('class');
      const fromSet = await jobs.ContextJob.set({ queue: 'vip', priority: 1 }).performLater('set');
      await target.drain();
      expect(fromClass).toMatchObject({ queueName: `${prefix}_mailers`, priority: 5, successfullyEnqueued: true });
      expect(fromSet).toMatchObject({ queueName: `${prefix}_vip`, priority: 1 });
      const performed = performsOf('ContextJob').sort((a, b) => String(a.args[0]).localeCompare(String(b.args[0])));
      expect(performed).toEqual([
        expect.objectContaining({ args: ['class'], queueName: `${prefix}_mailers`, priority: 5 }),
        expect.objectContaining({ args: ['set'], queueName: `${prefix}_vip`, priority: 1 }),
      ]);
    });

    it('runs enqueue callbacks at enqueue and perform callbacks around perform, in order', async () => {
      await jobs.CallbacksJob.performLater();
      await target.drain();
      const enqueueEvents = recorder.events.filter((e) => e.includes('enqueue'));
      const performEvents = recorder.events.filter((e) => !e.includes('enqueue'));
      expect(enqueueEvents).toEqual(['before_enqueue', 'around_enqueue:start', 'after_enqueue', 'around_enqueue:end']);
      expect(performEvents).toEqual(['before_perform', 'around_perform:start', 'perform', 'after_perform', 'around_perform:end']);
    });

    it('does not enqueue a job halted by a before_enqueue abort', async () => {
      const job = await jobs.HaltingJob.performLater();
      await target.drain();
      expect(job.successfullyEnqueued).toBe(false);
      expect(job.enqueueError).toBeUndefined();
      expect(performsOf('HaltingJob')).toEqual([]);
    });

    it('skips perform when an around_perform callback does not call next', async () => {
      await jobs.SkippingJob.performLater();
      await target.drain();
      expect(recorder.events).toEqual(['around_without_next']);
      expect(performsOf('SkippingJob')).toEqual([]);
      expect(failures).toEqual([]);
    });

    it('retries through the adapter, counting executions and per-rule executions, until the job succeeds', async () => {
      const job = await jobs.FlakyJob.performLater(3);
      await target.drain();
      const performed = performsOf('FlakyJob');
      expect(performed.map((p) => p.executions)).toEqual([1, 2, 3]);
      expect(performed.map((p) => p.exceptionExecutions)).toEqual([{}, { '[FlakyError]': 1 }, { '[FlakyError]': 2 }]);
      expect(new Set(performed.map((p) => p.jobId))).toEqual(new Set([job.jobId]));
      expect(failures).toEqual([]);
    });

    it('lets the error propagate when retries are exhausted, after afterDiscard', async () => {
      await jobs.ExhaustedJob.performLater();
      await target.drain();
      const performed = performsOf('ExhaustedJob');
      expect(performed.map((p) => [p.executions, p.queueName, p.priority])).toEqual([
        [1, `${prefix}_default`, undefined],
        [2, `${prefix}_retries`, 9],
      ]);
      expect(recorder.events).toEqual(['after_discard']);
      expect(failures).toEqual([expect.any(FlakyError)]);
    });

    it('discards a job on a discardOn error, running its handler and afterDiscard', async () => {
      await jobs.DiscardingJob.performLater();
      await target.drain();
      expect(performsOf('DiscardingJob')).toHaveLength(1);
      expect(recorder.events).toEqual(['discard_handler', 'after_discard']);
      expect(failures).toEqual([]);
    });

    it('handles an error with rescueFrom', async () => {
      await jobs.RescuingJob.performLater();
      await target.drain();
      expect(performsOf('RescuingJob')).toHaveLength(1);
      expect(recorder.events).toEqual(['rescued']);
      expect(failures).toEqual([]);
    });

    it('enqueues jobs of several classes with performAllLater, reporting each outcome', async () => {
      const bulk = [jobs.ArgumentsJob.build('bulk', 1), jobs.ContextJob.set({ queue: 'vip', priority: 2 }).build('bulk'), jobs.ArgumentsJob.build('bulk', 2)];
      await expect(performAllLater(bulk)).resolves.toBe(3);
      await target.drain();
      expect(bulk.map((job) => job.successfullyEnqueued)).toEqual([true, true, true]);
      expect(
        performsOf('ArgumentsJob')
          .map((p) => p.args)
          .sort((a, b) => Number(a[1]) - Number(b[1])),
      ).toEqual([
        ['bulk', 1],
        ['bulk', 2],
      ]);
      expect(performsOf('ContextJob')).toEqual([expect.objectContaining({ queueName: `${prefix}_vip`, priority: 2 })]);
    });

    describe('delays', () => {
      it('delays a job with set({ wait }) where supported, and refuses it clearly where not', async () => {
        const enqueue = jobs.ArgumentsJob.set({ wait: 300 }).performLater('delayed');
        if (target.delays === 'refused') {
          const failure = await enqueue.catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(EnqueueError);
          expect((failure as EnqueueError).cause).toBeInstanceOf(AdapterError);
          await target.drain();
          expect(performsOf('ArgumentsJob')).toEqual([]);
          return;
        }
        const job = await enqueue;
        await target.drain();
        const [performed] = performsOf('ArgumentsJob');
        expect(performed?.scheduledAt).toBe(job.scheduledAt?.getTime());
        if (target.delays === 'honored') expect(performed!.performedAt).toBeGreaterThanOrEqual(job.scheduledAt!.getTime());
      });

      it('delays a retry by its wait where supported; where not, the refused retry fails the job', async () => {
        await jobs.DelayedRetryJob.performLater();
        await target.drain();
        const performed = performsOf('DelayedRetryJob');
        if (target.delays === 'refused') {
          expect(performed.map((p) => p.executions)).toEqual([1]);
          expect(failures).toEqual([expect.any(EnqueueError)]);
          expect((failures[0] as EnqueueError).cause).toBeInstanceOf(AdapterError);
          return;
        }
        expect(performed.map((p) => p.executions)).toEqual([1, 2]);
        expect(failures).toEqual([]);
        if (target.delays === 'honored') expect(performed[1]!.performedAt).toBeGreaterThanOrEqual(performed[0]!.performedAt + 200);
      });

      it('reports a delayed job in performAllLater as enqueued where delays are supported, failed where not', async () => {
        const bulk = [jobs.ArgumentsJob.build('now'), jobs.ArgumentsJob.build('later').set({ wait: 200 })];
        const count = await performAllLater(bulk);
        await target.drain();
        if (target.delays === 'refused') {
          expect(count).toBe(1);
          expect(bulk[1]!.enqueueError?.cause).toBeInstanceOf(AdapterError);
          expect(performsOf('ArgumentsJob').map((p) => p.args)).toEqual([['now']]);
          return;
        }
        expect(count).toBe(2);
        expect(performsOf('ArgumentsJob')).toHaveLength(2);
      });
    });
  });
}
