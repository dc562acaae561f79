import { describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, EnqueueError, immediateOnly, parseTopology } from '../../src/index.js';
import { RecordJob } from '../fixtures/jobs.js';
import { useBrokerScratch } from '../support/broker-scratch.js';

const url = inject('amqpUrl');

describe('AmqpAdapter: a job the broker nacks', () => {
  const scratch = useBrokerScratch(url);

  it('is published again publishNackRetries times, then performLater rejects with an EnqueueError saying the broker refused it', async () => {
    const queue = `${scratch.prefix}full`;
    const exchange = `${scratch.prefix}x`;
    scratch.queues.push(queue);
    scratch.exchanges.push(exchange);
    // A queue that holds nothing and refuses (nacks) every publish instead of dropping the oldest message.
    const topology = parseTopology([
      {
        file: 'full.yaml',
        text: [
          'exchanges:',
          `  - name: ${exchange}`,
          'queues:',
          `  - name: ${queue}`,
          '    arguments:',
          '      x-max-length: 0',
          '      x-overflow: reject-publish',
          'bindings:',
          `  - exchange: ${exchange}`,
          `    queue: ${queue}`,
          '',
        ].join('\n'),
      },
    ]);
    const adapter = scratch.adopt(new AmqpAdapter({ url, topology, delays: immediateOnly, publishNackRetries: 2 }));
    configure({ adapter });
    const failure = await RecordJob.set({ queue })
      .performLater('refused')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toMatch(/refused \(nacked\)/);
    expect((failure as Error).message).toContain(`exchange "${exchange}" with routing key "${queue}"`);
    // One publish and two retries.
    expect((failure as Error).message).toMatch(/\b3 times\b/);
    expect(await scratch.probe.messageCount(queue)).toBe(0);
  });
});
