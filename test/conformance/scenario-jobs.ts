import { abort, currentLocale, currentTimezone, DeserializationError, Job } from '../../src/index.js';

/** What the scenario jobs record while they run; one recorder per suite, reset before each test. */
export interface Recorder {
  /** One entry per perform call (before any failure it raises). */
  performs: Performed[];
  /** Callback and handler events, in order: 'before_enqueue', 'perform', 'discard_handler'... */
  events: string[];
}

export interface Performed {
  job: string;
  jobId: string;
  args: unknown[];
  executions: number;
  exceptionExecutions: Record<string, number>;
  queueName: string;
  priority: number | undefined;
  locale: string | undefined;
  timezone: string | undefined;
  contextLocale: string;
  contextTimezone: string;
  scheduledAt: number | undefined;
  performedAt: number;
}

export class FlakyError extends Error {}
export class GoneError extends Error {}
export class RescuableError extends Error {}

/** A record the scenarios pass by GlobalID; located through POSTS at perform time. */
export class ScenarioPost {
  static readonly modelName = 'ConformancePost';
  constructor(
    readonly id: string,
    readonly title: string,
  ) {}
  toGlobalId(): string {
    return `gid://warren/${ScenarioPost.modelName}/${this.id}`;
  }
}

/** Queue parts the scenarios use (the suite's prefix is applied to each). */
export const SCENARIO_QUEUES = ['default', 'mailers', 'vip', 'retries'] as const;

/**
 * The scenario job classes for one suite. Every queue gets the suite's own prefix, so
 * suites (and a broker shared between test files) never see each other's jobs.
 */
export function defineScenarioJobs(queuePrefix: string, recorder: Recorder) {
  abstract class ConformanceJob extends Job {
    static override queueNamePrefix = queuePrefix;

    record(): void {
      recorder.performs.push({
        job: this.constructor.name,
        jobId: this.jobId,
        args: this.arguments,
        executions: this.executions,
        exceptionExecutions: { ...this.exceptionExecutions },
        queueName: this.queueName,
        priority: this.priority,
        locale: this.locale,
        timezone: this.timezone,
        contextLocale: currentLocale(),
        contextTimezone: currentTimezone(),
        scheduledAt: this.scheduledAt?.getTime(),
        performedAt: Date.now(),
      });
    }
  }

  const event = (name: string) => () => void recorder.events.push(name);

  class ArgumentsJob extends ConformanceJob {
    perform(..._args: unknown[]): void {
      this.record();
    }
  }

  class ContextJob extends ConformanceJob {
    static {
      this.queueAs('mailers');
      this.queueWithPriority(5);
    }
    perform(_label: string): void {
      this.record();
    }
  }

  class CallbacksJob extends ConformanceJob {
    static {
      this.beforeEnqueue(event('before_enqueue'));
      this.aroundEnqueue(async (_job, next) => {
        recorder.events.push('around_enqueue:start');
        await next();
        recorder.events.push('around_enqueue:end');
      });
      this.afterEnqueue(event('after_enqueue'));
      this.beforePerform(event('before_perform'));
      this.aroundPerform(async (_job, next) => {
        recorder.events.push('around_perform:start');
        await next();
        recorder.events.push('around_perform:end');
      });
      this.afterPerform(event('after_perform'));
    }
    perform(): void {
      recorder.events.push('perform');
      this.record();
    }
  }

  class HaltingJob extends ConformanceJob {
    static {
      this.beforeEnqueue(() => {
        throw abort('halted by the scenario');
      });
    }
    perform(): void {
      this.record();
    }
  }

  class SkippingJob extends ConformanceJob {
    static {
      this.aroundPerform(event('around_without_next'));
    }
    perform(): void {
      this.record();
    }
  }

  /** Fails until its execution number reaches `succeedOn`. */
  class FlakyJob extends ConformanceJob {
    static {
      this.retryOn(FlakyError, { wait: 0, attempts: 3 });
    }
    perform(succeedOn: number): void {
      this.record();
      if (this.executions < succeedOn) throw new FlakyError(`execution ${this.executions} fails`);
    }
  }

  class ExhaustedJob extends ConformanceJob {
    static {
      this.retryOn(FlakyError, { wait: 0, attempts: 2, queue: 'retries', priority: 9 });
      this.afterDiscard(event('after_discard'));
    }
    perform(): void {
      this.record();
      throw new FlakyError('always fails');
    }
  }

  class DelayedRetryJob extends ConformanceJob {
    static {
      this.retryOn(FlakyError, { wait: 200, attempts: 2, jitter: 0 });
    }
    perform(): void {
      this.record();
      if (this.executions < 2) throw new FlakyError('fails once');
    }
  }

  class DiscardingJob extends ConformanceJob {
    static {
      this.discardOn(GoneError, event('discard_handler'));
      this.afterDiscard(event('after_discard'));
    }
    perform(): void {
      this.record();
      throw new GoneError('record gone');
    }
  }

  class RescuingJob extends ConformanceJob {
    static {
      this.rescueFrom(RescuableError, event('rescued'));
    }
    perform(): void {
      this.record();
      throw new RescuableError('handled by rescueFrom');
    }
  }

  /** Takes a GlobalID-referenced record; a record that is gone is discarded. */
  class RecordJob extends ConformanceJob {
    static {
      this.discardOn(DeserializationError, event('discarded_missing_record'));
    }
    perform(post: ScenarioPost): void {
      recorder.events.push(`located ${post.title}`);
      this.record();
    }
  }

  return {
    RecordJob,
    ArgumentsJob,
    ContextJob,
    CallbacksJob,
    HaltingJob,
    SkippingJob,
    FlakyJob,
    ExhaustedJob,
    DelayedRetryJob,
    DiscardingJob,
    RescuingJob,
  };
}
