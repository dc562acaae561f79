import { WorkerMonitor } from '../presence/worker-monitor.js';
import type { StatsReader } from '../stats/stats-reader.js';
import { DashboardDeadLetters } from './dead-letter-source.js';
import type { DashboardOptions } from './dashboard-options.js';
import type { DashboardSources } from './sources.js';

/**
 * The dashboard's sources on the broker: a WorkerMonitor (heartbeats in, control messages out),
 * a StatsReader sharing it, and the dead-letter queue. Whatever opened is closed again when a
 * later one cannot be.
 */
export async function openBrokerSources(options: DashboardOptions): Promise<DashboardSources> {
  const connection = {
    ...(options.url !== undefined && { url: options.url }),
    ...(options.tls !== undefined && { tls: options.tls }),
    ...(options.logger !== undefined && { logger: options.logger }),
  };
  const monitor = await WorkerMonitor.open({
    ...connection,
    ...(options.signing !== undefined && { signing: options.signing }),
    connectionName: 'warren dashboard',
  });
  let stats: StatsReader | undefined;
  try {
    // Loaded on first use: importing `warren/rabbitmq` does not load the stats code.
    const { StatsReader } = await import('../stats/stats-reader.js');
    stats = await StatsReader.open({
      ...connection,
      monitor,
      ...(options.topology !== undefined && { topology: options.topology }),
      ...(options.queues !== undefined && { queues: [...options.queues] }),
      ...(options.deadLetterQueue !== undefined && { deadLetterQueue: options.deadLetterQueue }),
    });
    const deadLetters = await DashboardDeadLetters.open({
      ...connection,
      ...(options.topology !== undefined && { topology: options.topology }),
      ...(options.deadLetterQueue !== undefined && { queue: options.deadLetterQueue }),
    });
    return { stats, workers: monitor, deadLetters };
  } catch (error) {
    await stats?.close().catch(() => {});
    await monitor.close().catch(() => {});
    throw error;
  }
}
