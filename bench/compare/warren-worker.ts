// warren worker: Worker with concurrency = prefetch, the default logger (pino, level from
// WARREN_LOG_LEVEL, default info) writing to the process's stdout.
import { Worker } from '../../src/index.js';
import { benchJobClass, benchRegistry, benchTopology } from './bench-job.js';
import { runWorker } from './child.js';
import { CONFIG } from './config.js';

runWorker(async (meter, spec) => {
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
    close: () => worker.stop(),
  };
});
