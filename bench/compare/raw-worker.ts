// Raw amqplib worker: prefetch, manual ack after a JSON.parse and the no-op perform.
import amqp from 'amqplib';
import { runWorker } from './child.js';
import { CONFIG } from './config.js';
import { declareRawQueue, payloadOf } from './raw-wire.js';

runWorker(async (meter, spec) => {
  const wire = spec.wire ?? 'plain';
  const connection = await amqp.connect(CONFIG.amqpUrl, { noDelay: true });
  const channel = await connection.createChannel();
  const queues = spec.queues ?? [spec.queue];
  for (const queue of queues) await declareRawQueue(channel, queue, wire, spec.queueKind ?? 'classic');
  await channel.prefetch(spec.prefetch);
  return {
    consume: async () => {
      for (const queue of queues) {
        await channel.consume(
          queue,
          (message) => {
            if (!message) return;
            meter.performStarted(payloadOf(message.content, wire));
            channel.ack(message);
            meter.completed();
          },
          { noAck: false },
        );
      }
    },
    close: async () => {
      await channel.close();
      await connection.close();
    },
  };
});
