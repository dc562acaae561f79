// Raw amqplib producer, the floor of warren's stack: a confirm channel, durable queue,
// persistent messages; bulk = publish a window, then wait for its confirms. What it
// publishes depends on the wire format (raw-wire.ts; default: the bare payload).
import amqp from 'amqplib';
import { CONFIG } from './config.js';
import { runProducer } from './producer.js';
import { declareRawQueue, rawMessage } from './raw-wire.js';

runProducer(async (spec) => {
  const wire = spec.wire ?? 'plain';
  const kind = spec.queueKind ?? 'classic';
  const connection = await amqp.connect(CONFIG.amqpUrl, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  await declareRawQueue(channel, spec.queue, wire, kind);
  return {
    enqueueOne: (payload) =>
      new Promise<void>((resolve, reject) => {
        const message = rawMessage(spec.queue, wire, kind, payload);
        channel.publish(message.exchange, message.routingKey, message.content, message.options, (error) => (error ? reject(error) : resolve()));
      }),
    enqueueBatch: async (payloads) => {
      for (const payload of payloads) {
        const message = rawMessage(spec.queue, wire, kind, payload);
        channel.publish(message.exchange, message.routingKey, message.content, message.options);
      }
      await channel.waitForConfirms();
      return 0;
    },
    close: async () => {
      await channel.close();
      await connection.close();
    },
  };
});
