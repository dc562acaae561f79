import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, configure, Job } from '../../../src/index.js';
import { jobNameOf } from '../../../src/job/job-class.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => resetConfiguration());

describe('queue names', () => {
  it('uses the "default" queue when a job declares none', () => {
    class PlainJob extends Job {
      perform(): void {}
    }
    expect(PlainJob.build().queueName).toBe('default');
  });

  it('takes a static queue from queueAs', () => {
    class MailJob extends Job {
      static {
        this.queueAs('mailers');
      }
      perform(): void {}
    }
    expect(MailJob.build().queueName).toBe('mailers');
  });

  it('computes the queue from the perform arguments when queueAs is given a function', () => {
    class VideoJob extends Job {
      static {
        this.queueAs((owner: string, premium: boolean) => (premium ? `premium_${owner}` : 'videos'));
      }
      perform(_owner: string, _premium: boolean): void {}
    }
    expect(VideoJob.build('ana', true).queueName).toBe('premium_ana');
    expect(VideoJob.build('ana', false).queueName).toBe('videos');
  });

  it('prefixes every queue with the configured prefix and delimiter, read at enqueue time', () => {
    class ReportJob extends Job {
      static {
        this.queueAs('reports');
      }
      perform(): void {}
    }
    configure({ queueNamePrefix: 'production' });
    expect(ReportJob.build().queueName).toBe('production_reports');
    configure({ queueNamePrefix: 'staging', queueNameDelimiter: '.' });
    expect(ReportJob.build().queueName).toBe('staging.reports');
  });

  it('prefixes the default queue too', () => {
    class PlainJob extends Job {
      perform(): void {}
    }
    configure({ queueNamePrefix: 'production' });
    expect(PlainJob.build().queueName).toBe('production_default');
  });

  it('lets a job override or disable the prefix, and its subclasses inherit that', () => {
    configure({ queueNamePrefix: 'production' });
    class UnprefixedJob extends Job {
      static override queueNamePrefix = null;
      static {
        this.queueAs('raw');
      }
      perform(): void {}
    }
    class ChildJob extends UnprefixedJob {}
    class OwnPrefixJob extends Job {
      static override queueNamePrefix = 'tenant1';
      static override queueNameDelimiter = '-';
      perform(): void {}
    }
    expect(UnprefixedJob.build().queueName).toBe('raw');
    expect(ChildJob.build().queueName).toBe('raw');
    expect(OwnPrefixJob.build().queueName).toBe('tenant1-default');
  });

  it('applies the prefix to a queue given with set()', async () => {
    configure({ queueNamePrefix: 'production' });
    class PlainJob extends Job {
      static override adapter = new RecordingAdapter();
      perform(): void {}
    }
    const job = await PlainJob.set({ queue: 'urgent' }).performLater();
    expect(job.queueName).toBe('production_urgent');
  });

  it('refuses an empty queue name', () => {
    expect(() => {
      class BadJob extends Job {
        static {
          this.queueAs('');
        }
        perform(): void {}
      }
      return BadJob;
    }).toThrow(ConfigurationError);
  });
});

describe('priorities', () => {
  it('has no priority unless the job declares one', () => {
    class PlainJob extends Job {
      perform(): void {}
    }
    expect(PlainJob.build().priority).toBeUndefined();
  });

  it('takes a static priority or one computed from the arguments', () => {
    class StaticJob extends Job {
      static {
        this.queueWithPriority(10);
      }
      perform(): void {}
    }
    class DynamicJob extends Job {
      static {
        this.queueWithPriority((premium: boolean) => (premium ? 0 : 10));
      }
      perform(_premium: boolean): void {}
    }
    expect(StaticJob.build().priority).toBe(10);
    expect(DynamicJob.build(true).priority).toBe(0);
    expect(DynamicJob.build(false).priority).toBe(10);
  });

  it('refuses a priority that is not an integer', () => {
    class PlainJob extends Job {
      perform(): void {}
    }
    expect(() => PlainJob.build().set({ priority: 1.5 })).toThrow(ConfigurationError);
  });
});

describe('job names and inheritance', () => {
  it('names a job after its class unless it declares its own jobName, which is not inherited', () => {
    class RenamedJob extends Job {
      static override jobName = 'Billing::ChargeJob';
      perform(): void {}
    }
    class SubJob extends RenamedJob {}
    expect(jobNameOf(RenamedJob)).toBe('Billing::ChargeJob');
    expect(jobNameOf(SubJob)).toBe('SubJob');
  });

  it('lets a subclass inherit and override queue and priority without changing its parent', () => {
    class ParentJob extends Job {
      static {
        this.queueAs('parent');
        this.queueWithPriority(5);
      }
      perform(): void {}
    }
    class ChildJob extends ParentJob {
      static {
        this.queueAs('child');
      }
    }
    expect(ChildJob.build().queueName).toBe('child');
    expect(ChildJob.build().priority).toBe(5);
    expect(ParentJob.build().queueName).toBe('parent');
  });
});
