import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter } from '../../../src/adapters/amqp/amqp-adapter.js';
import { immediateOnly } from '../../../src/amqp/delay/scheduler.js';
import { configure, resetConfiguration } from '../../../src/config/configuration.js';
import { EnqueueError } from '../../../src/errors.js';
import { parseTopology } from '../../../src/topology/index.js';
import { RecordJob } from '../../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../helpers/broker-probe.js';

const url = inject('amqpUrl');

describe('AmqpAdapter: a job the broker nacks', () => {
  let prefix: string;
  let probe: BrokerProbe;
  let adapter: AmqpAdapter | undefined;
  const queues: string[] = [];
  const exchanges: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
  });

  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    await probe.deleteExchanges(exchanges.splice(0));
    await probe.close();
  });

  it('is published again publishNackRetries times, then performLater rejects with an EnqueueError saying the broker refused it', async () => {
    const queue = `${prefix}full`;
    const exchange = `${prefix}x`;
    queues.push(queue);
    exchanges.push(exchange);
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
    adapter = new AmqpAdapter({ url, topology, delays: immediateOnly, publishNackRetries: 2 });
    configure({ adapter });
    const failure = await RecordJob.set({ queue }).performLater('refused').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toMatch(/refused \(nacked\)/);
    expect((failure as Error).message).toContain(`exchange "${exchange}" with routing key "${queue}"`);
    // One publish and two retries.
    expect((failure as Error).message).toMatch(/\b3 times\b/);
    expect(await probe.messageCount(queue)).toBe(0);
  });
});
