import { inject } from 'vitest';
import { AmqpAdapter } from '../../src/adapters/amqp/amqp-adapter.js';
import { Worker } from '../../src/worker/worker.js';
import { BrokerProbe } from '../integration/helpers/broker-probe.js';
import { waitFor } from '../integration/helpers/wait.js';
import { defineAdapterConformance } from './adapter-conformance.js';

const url = inject('amqpUrl');

// The AMQP adapter with a real worker on the real broker. Retries go through the same
// adapter (the worker is given it). Delays: refused until the delay topology exists.
defineAdapterConformance('amqp', async ({ registry, queues, onJobFailed }) => {
  const deadLetterQueue = `${queues[0]}.dead`;
  const adapter = new AmqpAdapter({ url });
  const worker = new Worker({ url, registry, queues, adapter, deadLetterQueue, handleSignals: false, concurrency: 4 });
  worker.events.on('job:error', ({ error }) => onJobFailed(error));
  await worker.start();
  const probe = await BrokerProbe.open(url);

  // Drained: every queue empty and nothing in flight, three times in a row (a delivery on
  // its way to the worker is in neither count for a moment).
  const drain = async (): Promise<void> => {
    let quiet = 0;
    await waitFor(async () => {
      const ready = await Promise.all(queues.map((queue) => probe.messageCountIfAny(queue)));
      quiet = ready.every((count) => count === 0) && worker.inFlightCount === 0 ? quiet + 1 : 0;
      return quiet >= 3;
    }, 'the queues to drain');
  };

  const close = async (): Promise<void> => {
    await worker.stop();
    await adapter.close();
    await probe.deleteQueues([...queues, deadLetterQueue]);
    await probe.close();
  };
  return { adapter, delays: 'refused', drain, close };
});
