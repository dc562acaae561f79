import { describe, expect, it } from 'vitest';
import { abort, Job } from '../../../src/index.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';

describe('perform callbacks', () => {
  it('run befores in declaration order, arounds nested, afters in reverse at their nesting level', async () => {
    const log: string[] = [];
    class OrderedJob extends Job {
      static {
        this.beforePerform(() => void log.push('before A'));
        this.aroundPerform(async (_job, next) => {
          log.push('around B start');
          await next();
          log.push('around B end');
        });
        this.afterPerform(() => void log.push('after C'));
        this.beforePerform(() => void log.push('before D'));
        this.afterPerform(() => void log.push('after E'));
      }
      perform(): void {
        log.push('perform');
      }
    }
    await OrderedJob.performNow();
    expect(log).toEqual(['before A', 'around B start', 'before D', 'perform', 'after E', 'after C', 'around B end']);
  });

  it('run an after callback declared before an around callback after that around has finished', async () => {
    const log: string[] = [];
    class OuterAfterJob extends Job {
      static {
        this.afterPerform(() => void log.push('after'));
        this.aroundPerform(async (_job, next) => {
          log.push('around start');
          await next();
          log.push('around end');
        });
      }
      perform(): void {
        log.push('perform');
      }
    }
    await OuterAfterJob.performNow();
    expect(log).toEqual(['around start', 'perform', 'around end', 'after']);
  });

  it("run the parent class's callbacks before the subclass's, and a subclass's never run for the parent", async () => {
    const log: string[] = [];
    class ParentJob extends Job {
      static {
        this.beforePerform(() => void log.push('parent before'));
        this.afterPerform(() => void log.push('parent after'));
      }
      perform(): void {
        log.push(`perform ${this.constructor.name}`);
      }
    }
    class ChildJob extends ParentJob {
      static {
        this.beforePerform(() => void log.push('child before'));
        this.afterPerform(() => void log.push('child after'));
      }
    }
    await ChildJob.performNow();
    await ParentJob.performNow();
    expect(log).toEqual([
      'parent before',
      'child before',
      'perform ChildJob',
      'child after',
      'parent after',
      'parent before',
      'perform ParentJob',
      'parent after',
    ]);
  });

  it('accept method names; an around method receives next', async () => {
    const log: string[] = [];
    class MethodJob extends Job {
      static {
        this.beforePerform('start');
        this.aroundPerform('wrap');
      }
      start(): void {
        log.push(`start ${this.executions}`);
      }
      async wrap(next: () => Promise<void>): Promise<void> {
        log.push('wrap in');
        await next();
        log.push('wrap out');
      }
      perform(): void {
        log.push('perform');
      }
    }
    await MethodJob.performNow();
    expect(log).toEqual(['start 1', 'wrap in', 'perform', 'wrap out']);
  });

  it('skip perform and the callbacks inside an around callback that does not call next', async () => {
    const log: string[] = [];
    class GateJob extends Job {
      static {
        this.afterPerform(() => void log.push('outer after'));
        this.aroundPerform(() => void log.push('gate closed'));
        this.afterPerform(() => void log.push('inner after'));
      }
      perform(): void {
        log.push('perform');
      }
    }
    await GateJob.performNow();
    expect(log).toEqual(['gate closed', 'outer after']);
  });

  it('skip perform and every after callback when a before callback throws abort()', async () => {
    const log: string[] = [];
    class HaltJob extends Job {
      static {
        this.afterPerform(() => void log.push('after'));
        this.beforePerform(() => {
          throw abort('not today');
        });
      }
      perform(): void {
        log.push('perform');
      }
    }
    await expect(HaltJob.performNow()).resolves.toBeUndefined();
    expect(log).toEqual([]);
  });

  it('skip after callbacks when perform throws', async () => {
    const log: string[] = [];
    class BoomJob extends Job {
      static {
        this.afterPerform(() => void log.push('after'));
      }
      perform(): void {
        throw new Error('boom');
      }
    }
    await expect(BoomJob.performNow()).rejects.toThrow('boom');
    expect(log).toEqual([]);
  });

  it('let an around callback catch the error of perform', async () => {
    class SwallowJob extends Job {
      static {
        this.aroundPerform(async (_job, next) => {
          try {
            await next();
          } catch {
            // handled here
          }
        });
      }
      perform(): void {
        throw new Error('boom');
      }
    }
    await expect(SwallowJob.performNow()).resolves.toBeUndefined();
  });

  it('still wait for (and surface errors of) the rest of the chain when an around callback forgets to await next', async () => {
    const log: string[] = [];
    class ForgetfulJob extends Job {
      static {
        this.aroundPerform((_job, next) => {
          void next();
        });
      }
      async perform(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push('perform');
        throw new Error('late failure');
      }
    }
    await expect(ForgetfulJob.performNow()).rejects.toThrow('late failure');
    expect(log).toEqual(['perform']);
  });
});

describe('enqueue callbacks', () => {
  it('run before, around and after enqueue around the adapter call', async () => {
    const log: string[] = [];
    const adapter = new RecordingAdapter();
    class TrackedJob extends Job {
      static override adapter = adapter;
      static {
        this.beforeEnqueue((job) => void log.push(`before ${job.successfullyEnqueued}`));
        this.aroundEnqueue(async (_job, next) => {
          log.push('around start');
          await next();
          log.push(`around end ${adapter.calls.length}`);
        });
        this.afterEnqueue((job) => void log.push(`after ${job.successfullyEnqueued}`));
      }
      perform(): void {}
    }
    await TrackedJob.performLater();
    expect(log).toEqual(['before false', 'around start', 'after true', 'around end 1']);
  });

  it('halt with throw abort() in a before callback: performLater returns the job not enqueued, without error', async () => {
    const adapter = new RecordingAdapter();
    const log: string[] = [];
    class DedupJob extends Job {
      static override adapter = adapter;
      static {
        this.beforeEnqueue(() => {
          throw abort('duplicate');
        });
        this.afterEnqueue(() => void log.push('after'));
      }
      perform(): void {}
    }
    const job = await DedupJob.performLater();
    expect(job.successfullyEnqueued).toBe(false);
    expect(job.enqueueError).toBeUndefined();
    expect(adapter.calls).toHaveLength(0);
    expect(log).toEqual([]);
  });

  it('halt with this.abort() from a method callback', async () => {
    const adapter = new RecordingAdapter();
    class MethodHaltJob extends Job {
      static override adapter = adapter;
      static {
        this.beforeEnqueue('refuse');
      }
      refuse(): void {
        this.abort();
      }
      perform(): void {}
    }
    const job = await MethodHaltJob.performLater();
    expect(job.successfullyEnqueued).toBe(false);
    expect(adapter.calls).toHaveLength(0);
  });

  it('do not enqueue when an around enqueue callback does not call next', async () => {
    const adapter = new RecordingAdapter();
    class HeldJob extends Job {
      static override adapter = adapter;
      static {
        this.aroundEnqueue(() => undefined);
      }
      perform(): void {}
    }
    const job = await HeldJob.performLater();
    expect(job.successfullyEnqueued).toBe(false);
    expect(adapter.calls).toHaveLength(0);
  });

  it('refuse a method name the job does not have', () => {
    expect(() => {
      class TypoJob extends Job {
        static {
          // @ts-expect-error 'missing' is not a method of TypoJob
          this.beforePerform('missing');
        }
        perform(): void {}
      }
      return TypoJob;
    }).toThrow(/not a method/);
  });
});
