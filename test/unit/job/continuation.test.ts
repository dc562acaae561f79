import { describe, expect, it } from 'vitest';
import {
  type Envelope,
  executeEnvelope,
  InvalidStepError,
  Job,
  JobInterruptedError,
  JobRegistry,
  ResumeLimitError,
  type Step,
  UnadvanceableCursorError,
} from '../../../src/index.js';
import type { ContinuationHost, SavedProgress } from '../../../src/job/continuation/continuation-host.js';
import type { InterruptReason } from '../../../src/errors.js';
import { envelopeOf } from '../../support/envelope.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';

/** What the three-step job did in one run. */
const log: string[] = [];

class ImportJob extends Job {
  static override jobName = 'ImportJob';
  static override resumeOptions = { wait: 0 };
  async perform(rows: number, failAt?: number): Promise<void> {
    log.push('outside steps');
    await this.step('prepare', () => void log.push('prepare'));
    await this.step(
      'rows',
      async (step: Step<number>) => {
        log.push(`rows from ${step.cursor}${step.resumed ? ' (resumed)' : ''}`);
        for (let row = step.cursor; row < rows; row += 1) {
          if (row === failAt) throw new Error(`row ${row} is broken`);
          log.push(`row ${row}`);
          await step.advance();
        }
      },
      { start: 0 },
    );
    await this.step('finish');
  }

  finish(): void {
    log.push('finish');
  }
}

const registry = new JobRegistry().register(ImportJob);

/** An adapter with a host: `stopAfter` checkpoints, it asks the job to stop (as a stopping worker does). */
class HostingAdapter extends RecordingAdapter {
  checkpoints = 0;
  saved: SavedProgress[] = [];
  stored: SavedProgress | undefined;
  listener: ((reason: InterruptReason) => void) | undefined;
  constructor(private readonly stopAfter = Number.POSITIVE_INFINITY) {
    super('hosting');
  }
  continuationHost(): ContinuationHost {
    return {
      interruptReason: () => (++this.checkpoints > this.stopAfter ? 'stopping' : undefined),
      onInterrupt: (listener) => {
        this.listener = listener;
        return () => (this.listener = undefined);
      },
      loadCheckpoint: async () => this.stored,
      saveCheckpoint: async (progress) => void this.saved.push(progress),
      discardCheckpoint: () => {},
      checkpointIntervalMs: 0,
    };
  }
}

function run(envelope: Envelope, adapter = new RecordingAdapter()) {
  log.length = 0;
  return executeEnvelope(envelope, registry, { adapter });
}

describe('continuable jobs (this.step)', () => {
  it('runs its steps in order, and a plain envelope gets no continuation keys on a job without progress', async () => {
    const result = await run(envelopeOf('ImportJob', [2]));
    expect(result.outcome).toBe('performed');
    expect(log).toEqual(['outside steps', 'prepare', 'rows from 0', 'row 0', 'row 1', 'finish']);
  });

  it('resumes from an envelope: completed steps are skipped and the cursor is restored', async () => {
    const envelope = envelopeOf('ImportJob', [4], { continuation: { completed: ['prepare'], current: ['rows', 2] }, resumptions: 1 });
    const result = await run(envelope);
    expect(result.outcome).toBe('performed');
    expect(log).toEqual(['outside steps', 'rows from 2 (resumed)', 'row 2', 'row 3', 'finish']);
  });

  it('stops at a checkpoint when the host asks, and publishes its progress (Rails keys) with resumptions', async () => {
    const adapter = new HostingAdapter(2);
    const result = await run(envelopeOf('ImportJob', [5]), adapter);
    expect(result.outcome).toBe('retried');
    // Checkpoints: before 'rows' (1), after row 0 (2), after row 1 (3: asked to stop).
    expect(log).toEqual(['outside steps', 'prepare', 'rows from 0', 'row 0', 'row 1']);
    const [continuation] = adapter.envelopes;
    expect(continuation?.continuation).toEqual({ completed: ['prepare'], current: ['rows', 2] });
    expect(continuation?.resumptions).toBe(0);
    expect(continuation?.executions).toBe(1);

    // The continuation resumes at row 2, and says it was resumed once when it is published again.
    const again = new HostingAdapter(1);
    const second = await run(continuation!, again);
    expect(second.outcome).toBe('retried');
    // No checkpoint before the resumed step (nothing advanced yet); after row 2 (1), after row 3 (2: stop).
    expect(log).toEqual(['outside steps', 'rows from 2 (resumed)', 'row 2', 'row 3']);
    expect(again.envelopes[0]).toMatchObject({ continuation: { completed: ['prepare'], current: ['rows', 4] }, resumptions: 1, executions: 2 });
    const third = await run(again.envelopes[0]!);
    expect(third.outcome).toBe('performed');
    expect(log).toEqual(['outside steps', 'rows from 4 (resumed)', 'row 4', 'finish']);
  });

  it('aborts this.signal with a JobInterruptedError when the host asks the job to stop', async () => {
    let reason: unknown;
    class WaitingJob extends Job {
      static override jobName = 'WaitingJob';
      static override resumeOptions = { wait: 0 };
      async perform(): Promise<void> {
        await this.step('wait', async () => {
          await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve(), { once: true }));
          reason = this.signal.reason;
          throw reason;
        });
      }
    }
    const adapter = new HostingAdapter();
    const pending = executeEnvelope(envelopeOf('WaitingJob'), new JobRegistry().register(WaitingJob), { adapter });
    await new Promise((resolve) => setTimeout(resolve, 10));
    adapter.listener?.('consumer-timeout');
    const result = await pending;
    expect(reason).toBeInstanceOf(JobInterruptedError);
    expect((reason as JobInterruptedError).reason).toBe('consumer-timeout');
    expect(result.outcome).toBe('retried');
    expect(adapter.envelopes[0]?.continuation).toEqual({ completed: [], current: ['wait', null] });
  });

  it('resumes from a crash checkpoint in preference to the envelope, and saves progress at checkpoints', async () => {
    const adapter = new HostingAdapter();
    adapter.stored = { continuation: { completed: ['prepare'], current: ['rows', 3] }, resumptions: 2 };
    const result = await run(envelopeOf('ImportJob', [4], { continuation: { completed: ['prepare'], current: ['rows', 1] }, resumptions: 2 }), adapter);
    expect(result.outcome).toBe('performed');
    expect(log).toEqual(['outside steps', 'rows from 3 (resumed)', 'row 3', 'finish']);
    expect(adapter.saved.map((saved) => saved.continuation)).toContainEqual({ completed: ['prepare'], current: ['rows', 4] });
    expect(adapter.saved.every((saved) => saved.resumptions === 3)).toBe(true);
  });

  it('an error after the run advanced resumes at the failed step; before any progress it goes through the rules', async () => {
    const adapter = new RecordingAdapter();
    const result = await run(envelopeOf('ImportJob', [5, 3]), adapter);
    expect(result.outcome).toBe('retried');
    expect(adapter.envelopes[0]?.continuation).toEqual({ completed: ['prepare'], current: ['rows', 3] });

    // Resumed at row 3, which fails again at once: no progress in this run, so it fails.
    await expect(run(adapter.envelopes[0]!)).rejects.toThrow('row 3 is broken');
  });

  it('fails with ResumeLimitError past maxResumptions', async () => {
    class LimitedJob extends ImportJob {
      static override jobName = 'LimitedJob';
      static override maxResumptions = 2;
    }
    const limited = new JobRegistry().register(LimitedJob);
    const envelope = envelopeOf('LimitedJob', [5], { continuation: { completed: ['prepare'], current: ['rows', 1] }, resumptions: 1 });
    log.length = 0;
    // This run is resumption 2: interrupted again, it may not be resumed a third time.
    await expect(executeEnvelope(envelope, limited, { adapter: new HostingAdapter(1) })).rejects.toBeInstanceOf(ResumeLimitError);
  });

  it('resumptionsCountAsExecutions = false keeps executions to the runs that were not interrupted', async () => {
    class QuietJob extends ImportJob {
      static override jobName = 'QuietJob';
      static override resumptionsCountAsExecutions = false;
    }
    const adapter = new HostingAdapter(2);
    await executeEnvelope(envelopeOf('QuietJob', [5], { executions: 3 }), new JobRegistry().register(QuietJob), { adapter });
    expect(adapter.envelopes[0]?.executions).toBe(3);
  });

  it('refuses steps repeated, nested, out of order, or other than the one to resume (Rails messages)', async () => {
    const cases: Array<[string, (job: Job) => Promise<void>, Partial<Envelope>, string]> = [
      ['repeated', async (job) => (await job.step('a', () => {}), job.step('a', () => {})), {}, "Step 'a' has already been encountered"],
      ['nested', (job) => job.step('a', () => job.step('b', () => {})), {}, "Step 'b' is nested inside step 'a'"],
      [
        'resume expected',
        (job) => job.step('b', () => {}),
        { continuation: { completed: [], current: ['a', 1] } },
        "Step 'b' found, expected to resume from 'a'",
      ],
      ['order', (job) => job.step('b', () => {}), { continuation: { completed: ['a', 'b'] } }, "Step 'b' found, expected to see 'a'"],
    ];
    for (const [label, body, overrides, message] of cases) {
      class StepsJob extends Job {
        static override jobName = 'StepsJob';
        perform(): Promise<void> {
          return body(this);
        }
      }
      const outcome = executeEnvelope(envelopeOf('StepsJob', [], overrides), new JobRegistry().register(StepsJob), { adapter: new RecordingAdapter() });
      await expect(outcome, label).rejects.toThrow(InvalidStepError);
      await expect(outcome, label).rejects.toThrow(message);
    }
  });

  it('advance() refuses a cursor that is not a number; set() takes any JSON value', async () => {
    class CursorJob extends Job {
      static override jobName = 'CursorJob';
      async perform(): Promise<void> {
        await this.step('array', async (step: Step<number[]>) => step.set([1, 2]));
        await this.step('text', async (step) => step.advance());
      }
    }
    const outcome = executeEnvelope(envelopeOf('CursorJob'), new JobRegistry().register(CursorJob), { adapter: new RecordingAdapter() });
    await expect(outcome).rejects.toBeInstanceOf(UnadvanceableCursorError);
  });

  it('a step given by name needs a method of that name', async () => {
    class NamedJob extends Job {
      static override jobName = 'NamedJob';
      perform(): Promise<void> {
        return this.step('missing');
      }
    }
    await expect(executeEnvelope(envelopeOf('NamedJob'), new JobRegistry().register(NamedJob))).rejects.toThrow("step 'missing' has no body");
  });
});
