import { describe, expect, it } from 'vitest';
import { TestAdapter } from '../../../src/testing/index.js';
import { Job, JobRegistry, RegistrationError, UnknownJobError } from '../../../src/index.js';
import { defineHandlerJob } from '../../../src/handlers/handler-job.js';

const adapter = new TestAdapter({ registry: new JobRegistry() });

describe('JobRegistry with named handlers', () => {
  it('holds handlers next to job classes and describes each with its kind and queue', () => {
    class ReportJob extends Job {
      static override jobName = 'ReportJob';
      perform(): void {}
    }
    const registry = new JobRegistry().register(ReportJob);
    registry.registerHandler(
      'send_email',
      defineHandlerJob('send_email', () => undefined, { queue: 'mailers', timeout: 5_000 }, adapter),
    );

    expect(registry.names()).toEqual(['ReportJob', 'send_email']);
    expect(registry.describe('send_email')).toEqual({ name: 'send_email', kind: 'handler', timeoutMs: 5_000, queueName: 'mailers' });
    expect(registry.resolve('send_email').kind).toBe('handler');
    expect(() => registry.resolve('send_sms')).toThrow(UnknownJobError);
  });

  it('refuses a handler whose job class does not carry its name, or is not a job class', () => {
    const registry = new JobRegistry();
    const other = defineHandlerJob('other', () => undefined, {}, adapter);
    expect(() => registry.registerHandler('send_email', other)).toThrow(RegistrationError);
    expect(() => registry.registerHandler('send_email', (() => undefined) as never)).toThrow(RegistrationError);
    expect(() => registry.registerHandler('', other)).toThrow(RegistrationError);
  });

  it('refuses a job class whose name a handler already took', () => {
    class SendEmail extends Job {
      static override jobName = 'send_email';
      perform(): void {}
    }
    const registry = new JobRegistry();
    registry.registerHandler(
      'send_email',
      defineHandlerJob('send_email', () => undefined, {}, adapter),
    );
    expect(() => registry.register(SendEmail)).toThrow('job name "send_email" is already registered, by a handler');
  });
});
