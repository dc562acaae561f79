import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runEnvelope, type PerformOutcome } from '../../../src/job/execution.js';
import { Job, JobRegistry } from '../../../src/index.js';
import { envelopeOf } from '../../support/envelope.js';

/** Records every call the execution makes to its sink. */
function recordingSink() {
  const calls: Array<{ ended: PerformOutcome } | { failed: unknown }> = [];
  return { calls, ended: (outcome: PerformOutcome) => calls.push({ ended: outcome }), failed: (error: unknown) => calls.push({ failed: error }) };
}

const quietLogger = pino({ level: 'silent' });

describe('runEnvelope (the worker path, without a promise per layer)', () => {
  it('ends a perform that returns without a promise before it returns', () => {
    class SyncJob extends Job {
      perform(): string {
        return 'done';
      }
    }
    const sink = recordingSink();
    runEnvelope(envelopeOf('SyncJob'), new JobRegistry().register(SyncJob), { logger: quietLogger }, sink);
    expect(sink.calls).toEqual([{ ended: expect.objectContaining({ outcome: 'performed', value: 'done' }) }]);
  });

  it('ends an async perform once it settles, with its value', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class GatedJob extends Job {
      async perform(): Promise<number> {
        await gate;
        return 42;
      }
    }
    const sink = recordingSink();
    runEnvelope(envelopeOf('GatedJob'), new JobRegistry().register(GatedJob), { logger: quietLogger }, sink);
    expect(sink.calls).toEqual([]);
    release();
    await gate;
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.calls).toEqual([{ ended: expect.objectContaining({ outcome: 'performed', value: 42 }) }]);
  });

  it('fails once, never ends, when the performed line throws', () => {
    class LoggedJob extends Job {
      perform(): void {}
    }
    const write = (line: string): void => {
      if (line.includes('"performed"')) throw new Error('log sink down');
    };
    const throwingLogger = pino({ level: 'info' }, { write });
    const sink = recordingSink();
    runEnvelope(envelopeOf('LoggedJob'), new JobRegistry().register(LoggedJob), { logger: throwingLogger }, sink);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toEqual({ failed: expect.objectContaining({ message: 'log sink down' }) });
  });

  it('fails once with the job error when no rule handles it', async () => {
    class BrokenJob extends Job {
      async perform(): Promise<void> {
        throw new TypeError('boom');
      }
    }
    const sink = recordingSink();
    runEnvelope(envelopeOf('BrokenJob'), new JobRegistry().register(BrokenJob), { logger: quietLogger }, sink);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.calls).toEqual([{ failed: expect.any(TypeError) }]);
  });

  it('fails once for a job class that is not registered, without instantiating anything', () => {
    const sink = recordingSink();
    runEnvelope(envelopeOf('Unregistered'), new JobRegistry(), { logger: quietLogger }, sink);
    expect(sink.calls).toEqual([{ failed: expect.objectContaining({ name: 'UnknownJobError' }) }]);
  });
});
