// Pieces shared by the in-process benchmarks (hot-path.ts, alloc-sites.ts): an adapter that
// refuses everything (a perform that enqueues nothing never calls it) and a delivered message.
import type { Envelope, QueueAdapter } from '../src/index.js';

export const noAdapter: QueueAdapter = {
  name: 'none',
  supportsDelays: false,
  enqueue: () => Promise.reject(new Error('not in this benchmark')),
  enqueueAt: () => Promise.reject(new Error('not in this benchmark')),
  enqueueAll: () => Promise.reject(new Error('not in this benchmark')),
  close: async () => {},
};

/** The message amqplib would hand the worker for `envelope` encoded as `content`. */
export function deliveredMessage(envelope: Envelope, content: Buffer) {
  return {
    content,
    fields: { deliveryTag: 1, redelivered: false, exchange: 'warren', routingKey: 'bench', consumerTag: 'bench' },
    properties: { contentType: 'application/json', messageId: envelope.job_id, type: 'BenchJob', headers: {} },
  };
}
