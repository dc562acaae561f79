// BullMQ worker: concurrency = prefetch; completed jobs are removed (RabbitMQ forgets acked
// messages too), so Redis does not grow with the run.
import { Worker } from 'bullmq';
import { runWorker } from './child.js';
import { BULLMQ_PREFIX, CONFIG } from './config.js';
import type { BenchPayload } from './payload.js';

runWorker(async (meter, spec) => {
  const worker = new Worker<BenchPayload>(
    spec.queue,
    async (job) => {
      meter.performStarted(job.data);
    },
    { connection: CONFIG.redis, prefix: BULLMQ_PREFIX, concurrency: spec.prefetch, autorun: false, removeOnComplete: { count: 0 } },
  );
  worker.on('completed', () => meter.completed());
  await worker.waitUntilReady();
  return {
    consume: async () => {
      void worker.run();
      await worker.waitUntilReady();
    },
    close: () => worker.close(),
  };
});
