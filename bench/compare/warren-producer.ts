// warren producer: BenchJob.performLater (single, steady) and performAllLater (bulk) on an AmqpAdapter.
import { AmqpAdapter, configure, performAllLater } from '../../src/index.js';
import { benchJobClass, benchTopology } from './bench-job.js';
import { CONFIG } from './config.js';
import { runProducer } from './producer.js';

runProducer(async (spec) => {
  const adapter = new AmqpAdapter({ url: CONFIG.amqpUrl, topology: benchTopology([spec.queue], spec.queueKind) });
  configure({ adapter });
  const BenchJob = benchJobClass(spec.queue);
  const incidents: Record<string, number> = {};
  const count = (name: string): void => {
    incidents[name] = (incidents[name] ?? 0) + 1;
  };
  adapter.events.on('connection:blocked', ({ reason }) => count(`connection:blocked (${reason})`));
  for (const event of ['connection:disconnect', 'connection:failed'] as const) {
    adapter.events.on(event, ({ error }) => count(`${event} (${error?.message ?? 'no error'})`));
  }
  return {
    incidents,
    enqueueOne: async (payload) => {
      await BenchJob.performLater(payload);
    },
    enqueueBatch: async (payloads) => {
      const jobs = payloads.map((payload) => BenchJob.build(payload));
      return jobs.length - (await performAllLater(jobs));
    },
    close: () => adapter.close(),
  };
});
