// BullMQ producer: Queue.add (single, steady) and Queue.addBulk (bulk).
import { Queue } from 'bullmq';
import { BULLMQ_PREFIX, CONFIG } from './config.js';
import { runProducer } from './producer.js';

runProducer(async (spec) => {
  const queue = new Queue(spec.queue, { connection: CONFIG.redis, prefix: BULLMQ_PREFIX });
  await queue.waitUntilReady();
  return {
    enqueueOne: async (payload) => {
      await queue.add('BenchJob', payload);
    },
    enqueueBatch: async (payloads) => {
      await queue.addBulk(payloads.map((payload) => ({ name: 'BenchJob', data: payload })));
      return 0;
    },
    close: () => queue.close(),
  };
});
