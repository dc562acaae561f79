import { DEFAULTS } from '../config/defaults.js';
import { SCHEDULE_HEADERS } from './schedule-records.js';
import { openBroker, type BrokerTargetOptions } from './topology/broker.js';

/** What the broker says of a scheduler group (`warren schedule list --broker`). */
export interface ScheduleState {
  /** Whether a worker leads the group now (its leader queue exists). */
  leader: boolean;
  /** Per schedule name, the last tick enqueued (ms since the epoch); absent when none is recorded. */
  lastTicks: Map<string, number>;
}

/**
 * Reads a group's state without changing it: the leader queue is looked at passively (an exclusive
 * queue of another connection answers 405, a missing one 404), and each record's one message is
 * taken unacked and put back. Nothing is declared.
 */
export async function readScheduleState(url: string, group: string, names: readonly string[], options: BrokerTargetOptions = {}): Promise<ScheduleState> {
  const broker = await openBroker(url, options);
  try {
    const lastTicks = new Map<string, number>();
    const leader = await broker.connection.createChannel().then(async (channel) => {
      channel.on('error', () => {});
      try {
        await channel.checkQueue(`${DEFAULTS.schedule.leaderPrefix}.${group}`);
        return true;
      } catch (error) {
        return (error as { code?: number }).code === 405;
      }
    });
    for (const name of names) {
      const channel = await broker.connection.createChannel();
      channel.on('error', () => {});
      try {
        const message = await channel.get(`${DEFAULTS.schedule.recordPrefix}.${group}.${name}`, { noAck: false });
        if (message !== false) {
          channel.nack(message, false, true);
          const tick = Number(message.properties.headers?.[SCHEDULE_HEADERS.tick]);
          if (Number.isFinite(tick)) lastTicks.set(name, tick);
        }
        await channel.close();
      } catch {
        // no record queue: never enqueued
      }
    }
    return { leader, lastTicks };
  } finally {
    await broker.close();
  }
}
