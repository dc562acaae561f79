import { afterEach, describe, expect, it } from 'vitest';
import { configure, Job, JobRegistry, RegistrationError, UnknownJobError } from '../../../src/index.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => resetConfiguration());

class SendEmailJob extends Job {
  static override jobName = 'SendEmailJob';
  static override timeout = 30_000;
  static {
    this.queueAs('mailers');
  }
  perform(): void {}
}

class ResizeJob extends Job {
  static {
    this.queueAs((size: number) => (size > 100 ? 'big' : 'small'));
  }
  perform(_size: number): void {}
}

describe('JobRegistry', () => {
  it('knows the jobs the application registered, by job name', () => {
    const registry = new JobRegistry().register(SendEmailJob, ResizeJob);
    expect(registry.has('SendEmailJob')).toBe(true);
    expect(registry.has('Kernel')).toBe(false);
    expect(registry.names()).toEqual(['SendEmailJob', 'ResizeJob']);
    expect(registry.resolve('ResizeJob')).toMatchObject({ kind: 'job', jobClass: ResizeJob });
  });

  it('describes each job: timeout and the static queue (prefix applied) for the worker', () => {
    configure({ queueNamePrefix: 'prod' });
    const registry = new JobRegistry().register(SendEmailJob, ResizeJob);
    expect(registry.descriptors()).toEqual([
      { name: 'SendEmailJob', kind: 'job', timeoutMs: 30_000, queueName: 'prod_mailers' },
      { name: 'ResizeJob', kind: 'job', timeoutMs: undefined, queueName: undefined },
    ]);
    expect(registry.describe('SendEmailJob').timeoutMs).toBe(30_000);
  });

  it('raises UnknownJobError for a name that was not registered', () => {
    const registry = new JobRegistry().register(SendEmailJob);
    expect(() => registry.describe('ResizeJob')).toThrow(UnknownJobError);
    expect(() => registry.resolve('constructor')).toThrow(UnknownJobError);
  });

  it('refuses two jobs with the same name', () => {
    class Impostor extends Job {
      static override jobName = 'SendEmailJob';
      perform(): void {}
    }
    expect(() => new JobRegistry().register(SendEmailJob, Impostor)).toThrow(RegistrationError);
    expect(() => new JobRegistry().register(SendEmailJob, SendEmailJob)).toThrow(/registered twice/);
  });

  it('refuses classes that are not jobs', () => {
    class NotAJob {
      perform(): void {}
    }
    expect(() => new JobRegistry().register(NotAJob as never)).toThrow(RegistrationError);
  });

  it('refuses an invalid timeout when describing', () => {
    class BadTimeoutJob extends Job {
      static override timeout = -5;
      perform(): void {}
    }
    expect(() => new JobRegistry().register(BadTimeoutJob).descriptors()).toThrow(/timeout/);
  });
});
