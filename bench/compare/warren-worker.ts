// warren worker: Worker with concurrency = prefetch, the default logger (pino, level from
// WARREN_LOG_LEVEL, default info) writing to the process's stdout. BENCH_WARREN_LOG=buffered
// writes the same lines through pino's buffered destination (4 KB, as pino's docs show it).
import { destination, pino } from 'pino';
import { configure, Worker } from '../../src/index.js';
import { benchJobClass, benchRegistry, benchTopology } from './bench-job.js';
import { runWorker } from './child.js';
import { CONFIG } from './config.js';

runWorker(async (meter, spec) => {
  const buffered = process.env.BENCH_WARREN_LOG === 'buffered' ? destination({ dest: 1, sync: false, minLength: 4096 }) : undefined;
  if (buffered) configure({ logger: pino({ name: 'warren', level: process.env.WARREN_LOG_LEVEL ?? 'info' }, buffered) });
  const registry = benchRegistry(benchJobClass(spec.queue, (payload) => meter.performStarted(payload)));
  const worker = new Worker({
    registry,
    queues: [spec.queue],
    concurrency: spec.prefetch,
    url: CONFIG.amqpUrl,
    handleSignals: false,
    topology: benchTopology(spec.queue),
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
      buffered?.flushSync();
    },
  };
});
