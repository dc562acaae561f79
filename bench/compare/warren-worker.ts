// warren worker: Worker with concurrency = prefetch, the default logger (level from
// WARREN_LOG_LEVEL, default info) writing to the process's stdout. BENCH_WARREN_LOG=pino-sync
// writes the same lines through a plain pino logger on pino's default synchronous destination
// (what warren 0.1's default logger did: one write and pino's serializer per line).
import { destination, pino } from 'pino';
import { configure, Worker } from '../../src/index.js';
import { benchJobClass, benchRegistry, benchTopology } from './bench-job.js';
import { runWorker } from './child.js';
import { CONFIG } from './config.js';

runWorker(async (meter, spec) => {
  if (process.env.BENCH_WARREN_LOG === 'pino-sync') {
    configure({ logger: pino({ name: 'warren', level: process.env.WARREN_LOG_LEVEL ?? 'info' }, destination({ dest: 1, sync: true })) });
  }
  const queues = spec.queues ?? [spec.queue];
  // One class for every queue: a job is found by its name; the queue it came from is the envelope's.
  const registry = benchRegistry(benchJobClass(spec.queue, (payload) => meter.performStarted(payload)));
  const worker = new Worker({
    registry,
    queues,
    concurrency: spec.prefetch,
    url: CONFIG.amqpUrl,
    handleSignals: false,
    topology: benchTopology(queues, spec.queueKind),
  });
  worker.events.on('job:complete', () => meter.completed());
  const trouble = ['delivery:stale-ack', 'job:requeued', 'job:dead', 'job:error', 'job:retry', 'job:abandoned', 'connection:blocked'] as const;
  for (const event of trouble) worker.events.on(event, () => meter.incident(event));
  for (const event of ['connection:disconnect', 'connection:failed'] as const) {
    worker.events.on(event, ({ role, error }) => meter.incident(`${event} (${role}: ${error?.message ?? 'no error'})`));
  }
  worker.events.on('job:start', ({ redelivered }) => {
    if (redelivered) meter.incident('redelivered');
  });
  return {
    consume: () => worker.start(),
    close: async () => {
      await worker.stop();
    },
  };
});
