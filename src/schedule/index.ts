/**
 * Recurring jobs, the pure half: schedule definitions, their tick times (cron with time zones, or
 * intervals), what to enqueue after missed ticks, and schedule files. The worker's scheduler
 * (src/worker/scheduler.ts) elects the leader and enqueues the ticks on the broker.
 */
export { parseCron, type CronTimes } from './cron-times.js';
export { MIN_INTERVAL_MS, parseInterval } from './interval.js';
export { loadSchedules } from './load.js';
export { tickJobId, toSchedule, toSchedules, type MissedTickPolicy, type Schedule, type ScheduleDefinition } from './schedule.js';
export { latestTicks, planTicks, ticksIn, type TickPlan } from './tick-plan.js';
