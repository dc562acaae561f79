import { inject } from 'vitest';
import { AmqpAdapter, type Envelope, type PublishTarget, type RouteSpec, TtlQueueDelays, Worker } from '../../src/index.js';
import { BrokerProbe } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { defineAdapterConformance } from './adapter-conformance.js';

const url = inject('amqpUrl');

/** TTL-queue delays that remember which delay queues they used, so drain can watch them. */
class RecordingDelays extends TtlQueueDelays {
  readonly queues = new Set<string>();
  override targetFor(route: RouteSpec, delayMs: number, envelope: Envelope): PublishTarget {
    const target = super.targetFor(route, delayMs, envelope);
    this.queues.add(target.routingKey);
    return target;
  }
}

// The AMQP adapter with a real worker on the real broker. Retries go through the same
// adapter (the worker is given it); delays go through TTL queues.
defineAdapterConformance('amqp', async ({ registry, queues, onJobFailed }) => {
  const deadLetterQueue = `${queues[0]}.dead`;
  const delays = new RecordingDelays();
  const adapter = new AmqpAdapter({ url, delays });
  const worker = new Worker({ url, registry, queues, adapter, deadLetterQueue, handleSignals: false, concurrency: 4 });
  worker.events.on('job:error', ({ error }) => onJobFailed(error));
  await worker.start();
  const probe = await BrokerProbe.open(url);

  // Drained: every job and delay queue empty and nothing in flight, three times in a row
  // (a message on its way to the worker, or between queues, is in no count for a moment).
  const drain = async (): Promise<void> => {
    let quiet = 0;
    await waitFor(async () => {
      const watched = [...queues, ...delays.queues];
      const ready = await Promise.all(watched.map((queue) => probe.messageCountIfAny(queue)));
      quiet = ready.every((count) => count === 0) && worker.inFlightCount === 0 ? quiet + 1 : 0;
      return quiet >= 3;
    }, 'the queues to drain');
  };

  const close = async (): Promise<void> => {
    await worker.stop();
    await adapter.close();
    await probe.deleteQueues([...queues, deadLetterQueue, ...delays.queues]);
    await probe.close();
  };
  return { adapter, delays: 'honored', drain, close };
});
