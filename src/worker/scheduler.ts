import type { Logger } from 'pino';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import type { AmqpConnection } from '../amqp/connection.js';
import { ScheduleRecords, SCHEDULE_HEADERS } from '../amqp/schedule-records.js';
import { SchedulerLeadership } from '../amqp/scheduler-leadership.js';
import { DEFAULTS } from '../config/defaults.js';
import { serializeArguments } from '../envelope/arguments.js';
import { DuplicateJobError, ScheduleError } from '../errors.js';
import { internalsOf } from '../job/internal-state.js';
import { jobNameOf, type JobClass } from '../job/job-class.js';
import type { Job } from '../job/job.js';
import type { JobRegistry } from '../job/registry.js';
import type { SetOptions } from '../job/set-options.js';
import { planTicks, tickJobId, toSchedules, type Schedule, type ScheduleDefinition } from '../schedule/index.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import type { WorkerEvents } from './events.js';
import { TickAdapter } from './tick-adapter.js';

export interface SchedulerOptions {
  schedules: readonly Schedule[];
  /** Each schedule's job class, resolved in the registry (Scheduler.resolve). */
  jobs: ReadonlyMap<string, JobClass>;
  group: string;
  /** The worker's consuming connection: leadership is held on it. */
  connection: AmqpConnection;
  /** The worker's adapter: ticks are published (and records kept) on its publishing connection. */
  adapter: AmqpAdapter;
  logger: Logger;
  events: TypedEmitter<WorkerEvents>;
}

const GROUP = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Recurring jobs with one leader. Every worker given schedules runs one of these; they contend for
 * their group's leader queue (SchedulerLeadership: an exclusive queue, owned by one connection and
 * deleted by the broker with it). The leader:
 * 1. reads each schedule's last enqueued tick from its record queue (ScheduleRecords), or, for a
 *    schedule never run, starts from the moment it took over (no catch-up of a first start);
 * 2. at each tick time, confirms with the broker that it still leads, then enqueues the tick's job
 *    (id `<schedule>@<tick ISO time>`) into its queue with a copy in the record queue, in one
 *    publish: the job is in its queue exactly when the tick is recorded;
 * 3. after an outage, plans missed ticks by the schedule's policy (planTicks: skip, once, all).
 * Any broker failure ends its leadership (the queue is deleted) and the loop contends again, so the
 * next leader, this one or another, starts from what the records say. A follower tries to lead
 * every DEFAULTS.schedule.leaderPollMs.
 *
 * Exactly once, and where not: a tick is enqueued once as long as one leader publishes at a time.
 * The leader checks with the broker right before it publishes, so two leaders overlap only when
 * the broker has already given the leadership away while a publish of the old leader is on the wire
 * (a network cut the old leader's heartbeat has not noticed yet): then the tick may be enqueued
 * twice, both copies with the same job id.
 */
export class Scheduler {
  private readonly leadership: SchedulerLeadership;
  private readonly records: ScheduleRecords;
  /** Per schedule, the last tick dealt with (valid while leading). */
  private readonly last = new Map<string, number>();
  private closed = false;
  private leading = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  /** Checks the schedules and resolves their jobs in the registry: ScheduleError for a job not registered (nothing unregistered is ever built). */
  static resolve(
    given: readonly (ScheduleDefinition | Schedule)[],
    registry: JobRegistry,
    group: string,
  ): { schedules: Schedule[]; jobs: Map<string, JobClass> } {
    if (!GROUP.test(group)) throw new ScheduleError(`schedulerGroup must be 1 to 100 letters, digits, '_', '.', ':' or '-', not ${JSON.stringify(group)}`);
    const schedules = toSchedules(given);
    const jobs = new Map<string, JobClass>();
    for (const schedule of schedules) {
      const name = typeof schedule.job === 'string' ? schedule.job : jobNameOf(schedule.job as JobClass);
      const entry = registry.has(name) ? registry.resolve(name) : undefined;
      if (!entry || (typeof schedule.job === 'function' && entry.jobClass !== schedule.job)) {
        throw new ScheduleError(`schedule ${JSON.stringify(schedule.name)}: job ${JSON.stringify(name)} is not registered with this worker's registry`);
      }
      try {
        serializeArguments(schedule.args); // what each tick would do: said now, not at the first tick
      } catch (error) {
        throw new ScheduleError(`schedule ${JSON.stringify(schedule.name)}: its args cannot be serialized: ${(error as Error).message}`, { cause: error });
      }
      jobs.set(schedule.name, entry.jobClass);
    }
    return { schedules, jobs };
  }

  constructor(private readonly options: SchedulerOptions) {
    this.leadership = new SchedulerLeadership(options.connection, `${DEFAULTS.schedule.leaderPrefix}.${options.group}`);
    this.records = new ScheduleRecords(options.adapter.publishingConnection(), options.adapter.publishTimeoutMs);
  }

  /** True while this worker leads its group. */
  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops scheduling and gives leadership up (another worker takes over at its next try). */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
    await this.records.close();
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    while (!this.closed) {
      try {
        if (await this.leadership.tryAcquire()) {
          this.setLeading(true);
          await this.lead();
        }
      } catch (error) {
        logger.warn(
          { err: error, group: this.options.group },
          this.leading ? 'scheduler: giving leadership up after a broker failure' : 'scheduler: cannot contend for leadership',
        );
      }
      if (this.leading) {
        await this.leadership.release();
        this.setLeading(false);
      }
      if (!this.closed) await this.sleep(DEFAULTS.schedule.leaderPollMs);
    }
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    const { group, logger, events } = this.options;
    logger.info({ group, schedules: this.options.schedules.length }, leading ? 'scheduler: leading' : 'scheduler: no longer leading');
    events.emit('scheduler:leadership', { group, leading });
  }

  private async lead(): Promise<void> {
    const takenAt = Date.now();
    for (const schedule of this.options.schedules) {
      this.last.set(schedule.name, (await this.records.lastTick(this.recordOf(schedule))) ?? takenAt);
    }
    while (!this.closed) {
      if (!(await this.leadership.confirm())) return;
      const now = Date.now();
      for (const schedule of this.options.schedules) await this.runSchedule(schedule, now);
      await this.sleep(this.untilNextTick(Date.now()));
    }
  }

  private async runSchedule(schedule: Schedule, now: number): Promise<void> {
    const plan = planTicks(schedule, this.last.get(schedule.name) ?? now, now);
    if (plan.skipped) {
      const after = new Date(plan.skipped.after).toISOString();
      const until = new Date(plan.skipped.until).toISOString();
      this.options.logger.info({ schedule: schedule.name, after, until, policy: schedule.missed }, 'scheduler: missed ticks left out');
      this.options.events.emit('schedule:skipped', { schedule: schedule.name, after, until });
    }
    for (const tick of plan.enqueue) {
      if (this.closed) return;
      await this.enqueueTick(schedule, tick);
      this.last.set(schedule.name, tick);
    }
    this.last.set(schedule.name, plan.through);
  }

  /** Enqueues one tick's job with its record; throws when the broker did not take it (leadership is then given up). */
  private async enqueueTick(schedule: Schedule, tick: number): Promise<void> {
    const { logger, events } = this.options;
    const record = this.recordOf(schedule);
    await this.records.declare(record);
    const adapter = new TickAdapter(this.options.adapter, record, { [SCHEDULE_HEADERS.schedule]: schedule.name, [SCHEDULE_HEADERS.tick]: tick });
    const jobClass = this.options.jobs.get(schedule.name) as JobClass;
    const job = new (jobClass as unknown as new (...args: unknown[]) => Job)(...schedule.args);
    job.jobId = tickJobId(schedule.name, tick);
    internalsOf(job).deliveringAdapter = adapter;
    const options: SetOptions = {};
    if (schedule.queue !== undefined) options.queue = schedule.queue;
    if (schedule.priority !== undefined) options.priority = schedule.priority;
    const at = new Date(tick).toISOString();
    try {
      await job.enqueue(options);
    } catch (error) {
      // Arguments that cannot be serialized, a bad option: the same at every tick. Said, and the tick recorded.
      logger.error({ err: error, schedule: schedule.name, tick: at }, 'scheduler: the tick cannot be enqueued');
      await this.records.write(record, schedule.name, tick);
      return;
    }
    if (!adapter.published) {
      if (job.enqueueError && !(job.enqueueError instanceof DuplicateJobError)) throw job.enqueueError;
      // A callback halted the enqueue, or a unique lock refused it: that is the tick's outcome.
      await this.records.write(record, schedule.name, tick);
      logger.info(
        { schedule: schedule.name, tick: at, job_id: job.jobId, reason: job.enqueueError?.message ?? 'halted by a callback' },
        'scheduler: tick not enqueued',
      );
      return;
    }
    logger.info({ schedule: schedule.name, tick: at, job_id: job.jobId, queue: job.queueName }, 'scheduler: tick enqueued');
    events.emit('schedule:enqueued', { schedule: schedule.name, tick: at, jobId: job.jobId, jobClass: jobNameOf(jobClass), queue: job.queueName });
  }

  private recordOf(schedule: Schedule): string {
    return `${DEFAULTS.schedule.recordPrefix}.${this.options.group}.${schedule.name}`;
  }

  /** Milliseconds until the earliest next tick, at most DEFAULTS.schedule.maxSleepMs. */
  private untilNextTick(now: number): number {
    let wait: number = DEFAULTS.schedule.maxSleepMs;
    for (const schedule of this.options.schedules) {
      // After the last tick dealt with: a plan that left ticks for the next one (planTicks takes 1000 at most) goes on at once.
      const next = schedule.times.nextAfter(this.last.get(schedule.name) ?? now);
      if (next !== undefined) wait = Math.min(wait, next - now);
    }
    return Math.max(0, wait);
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
