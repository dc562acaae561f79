import { AssertionError } from 'node:assert';
import { beforeEach, describe, expect, it } from 'vitest';
import { Job, JobRegistry, performAllLater } from '../../../src/index.js';
import {
  assertEnqueued,
  assertNotEnqueued,
  assertPerformed,
  clearJobs,
  enqueuedJobs,
  performedJobs,
  performEnqueuedJobs,
  TestAdapter,
} from '../../../src/testing/index.js';

const performed: unknown[] = [];

class SendEmailJob extends Job {
  static {
    this.queueAs('mailers');
  }
  perform(userId: number, subject: string): void {
    performed.push(['email', userId, subject]);
  }
}

class ReportJob extends Job {
  static {
    this.retryOn(Error, { wait: 1_000, attempts: 2, jitter: 0 });
  }
  perform(kind: string): void {
    performed.push(['report', kind, this.executions]);
    if (kind === 'flaky' && this.executions < 2) throw new Error('flaky');
    if (kind === 'broken') throw new TypeError('broken');
  }
}

const registry = new JobRegistry().register(SendEmailJob, ReportJob);
const adapter = new TestAdapter({ registry });
SendEmailJob.adapter = adapter;
ReportJob.adapter = adapter;

beforeEach(() => {
  clearJobs(adapter);
  performed.length = 0;
});

describe('test adapter', () => {
  it('records enqueued jobs without performing them', async () => {
    await SendEmailJob.performLater(42, 'hi');
    expect(performed).toEqual([]);
    expect(adapter.enqueuedJobs).toHaveLength(1);
    expect(adapter.enqueuedJobs[0]!.envelope).toMatchObject({ job_class: 'SendEmailJob', arguments: [42, 'hi'] });
  });

  it('records bulk enqueues and their scheduled times', async () => {
    const at = Date.UTC(2030, 0, 1);
    await performAllLater([SendEmailJob.build(1, 'a'), ReportJob.build('daily').set({ waitUntil: at })]);
    expect(adapter.enqueuedJobs.map((r) => r.scheduledAt?.getTime())).toEqual([undefined, at]);
  });
});

describe('assertEnqueued and enqueuedJobs', () => {
  it('match by class, arguments, queue, priority and scheduled time', async () => {
    const at = new Date(Date.UTC(2030, 0, 1, 12));
    await SendEmailJob.performLater(42, 'hi');
    await SendEmailJob.set({ waitUntil: at, priority: 2 }).performLater(7, 'later');
    await ReportJob.performLater('daily');

    assertEnqueued(adapter, { job: SendEmailJob }, 2);
    assertEnqueued(adapter, { job: SendEmailJob, args: [42, 'hi'], queue: 'mailers', at: null });
    assertEnqueued(adapter, { job: 'SendEmailJob', at, priority: 2 }, 1);
    assertEnqueued(adapter, { queue: 'default' }, 1);
    assertNotEnqueued(adapter, { job: SendEmailJob, args: [42, 'bye'] });
    expect(enqueuedJobs(adapter, { job: ReportJob }).map((r) => r.envelope.arguments)).toEqual([['daily']]);
  });

  it('fail with an AssertionError that lists what was enqueued', async () => {
    await ReportJob.performLater('daily');
    let failure: unknown;
    try {
      assertEnqueued(adapter, { job: SendEmailJob });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(AssertionError);
    expect((failure as Error).message).toContain('job=SendEmailJob');
    expect((failure as Error).message).toContain('ReportJob(["daily"])');
    expect(() => assertEnqueued(adapter, { job: ReportJob }, 2)).toThrow(AssertionError);
    expect(() => assertNotEnqueued(adapter, { job: ReportJob })).toThrow(AssertionError);
  });
});

describe('performEnqueuedJobs', () => {
  it('performs the enqueued jobs, moving them to performedJobs', async () => {
    await SendEmailJob.performLater(1, 'a');
    await ReportJob.performLater('daily');
    await expect(performEnqueuedJobs(adapter)).resolves.toBe(2);
    expect(performed).toEqual([
      ['email', 1, 'a'],
      ['report', 'daily', 1],
    ]);
    expect(adapter.enqueuedJobs).toEqual([]);
    assertPerformed(adapter, { job: SendEmailJob, args: [1, 'a'] }, 1);
    expect(performedJobs(adapter)).toHaveLength(2);
  });

  it('performs only the jobs matching `only`, and only those due by `at`', async () => {
    await SendEmailJob.performLater(1, 'now');
    await SendEmailJob.set({ waitUntil: Date.UTC(2030, 0, 1) }).performLater(2, 'later');
    await ReportJob.performLater('daily');
    await performEnqueuedJobs(adapter, { only: { job: SendEmailJob }, at: Date.UTC(2029, 0, 1) });
    expect(performed).toEqual([['email', 1, 'now']]);
    expect(adapter.enqueuedJobs).toHaveLength(2);
  });

  it('records retries back on the adapter, and runs them too with untilEmpty', async () => {
    await ReportJob.performLater('flaky');
    await performEnqueuedJobs(adapter);
    assertEnqueued(adapter, { job: ReportJob, args: ['flaky'] }, 1);
    expect(adapter.enqueuedJobs[0]!.envelope.executions).toBe(1);

    clearJobs(adapter);
    performed.length = 0;
    await ReportJob.performLater('flaky');
    await performEnqueuedJobs(adapter, { untilEmpty: true });
    expect(performed).toEqual([
      ['report', 'flaky', 1],
      ['report', 'flaky', 2],
    ]);
    assertNotEnqueued(adapter);
  });

  it("propagates a job's error, as perform_enqueued_jobs does", async () => {
    await ReportJob.performLater('broken');
    await SendEmailJob.performLater(1, 'after the broken one');
    // First round: the report is retried (1 of 2 attempts), the email is sent.
    // Second round: the retry exhausts its attempts and the TypeError propagates.
    await expect(performEnqueuedJobs(adapter, { untilEmpty: true })).rejects.toThrow(TypeError);
    expect(performed).toEqual([
      ['report', 'broken', 1],
      ['email', 1, 'after the broken one'],
      ['report', 'broken', 2],
    ]);
  });
});
