import { describe, expect, it } from 'vitest';
import { Job, JobRegistry, ScheduleError, Worker } from '../../../src/index.js';

class ReportJob extends Job {
  static override jobName = 'ReportJob';
  perform(_kind: string): void {}
}
class NotRegisteredJob extends Job {
  perform(): void {}
}

const registry = new JobRegistry().register(ReportJob);
const build = (schedules: ConstructorParameters<typeof Worker>[0]['schedules'], schedulerGroup?: string) =>
  new Worker({ registry, schedules, handleSignals: false, ...(schedulerGroup !== undefined && { schedulerGroup }) });

describe('a worker given schedules checks them before it starts', () => {
  it('accepts a registered class or its registered name', () => {
    expect(() => build([{ name: 'a', every: '1m', job: ReportJob, args: ['daily'] }])).not.toThrow();
    expect(() => build([{ name: 'b', cron: '@daily', job: 'ReportJob', args: ['daily'] }])).not.toThrow();
  });

  it('refuses a job that is not registered: nothing unregistered is ever built', () => {
    expect(() => build([{ name: 'n', every: '1m', job: 'NoSuchJob' }])).toThrow(ScheduleError);
    expect(() => build([{ name: 'n', every: '1m', job: 'NoSuchJob' }])).toThrow('schedule "n": job "NoSuchJob" is not registered');
    expect(() => build([{ name: 'c', every: '1m', job: NotRegisteredJob }])).toThrow(/job "NotRegisteredJob" is not registered/);
  });

  it('refuses arguments that cannot be serialized, at once rather than at every tick', () => {
    expect(() => build([{ name: 'fn', every: '1m', job: ReportJob, args: [() => 1] }])).toThrow(/schedule "fn": its args cannot be serialized/);
  });

  it('refuses two schedules with one name, a bad definition and a bad group', () => {
    expect(() =>
      build([
        { name: 'twice', every: '1m', job: ReportJob },
        { name: 'twice', every: '2m', job: ReportJob },
      ]),
    ).toThrow('schedule "twice": declared twice');
    expect(() => build([{ name: 'tz', cron: '@daily', timezone: 'Nowhere/Land', job: ReportJob }])).toThrow(/unknown time zone/);
    expect(() => build([{ name: 'g', every: '1m', job: ReportJob }], 'has spaces')).toThrow(/schedulerGroup must be/);
  });
});
