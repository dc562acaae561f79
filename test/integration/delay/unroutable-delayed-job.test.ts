import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, EnqueueError, parseTopology } from '../../../src/index.js';
import { RecordJob } from '../../fixtures/jobs.js';
import { DelayFixture } from './delay-fixture.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');

describe('AmqpAdapter: a delayed job whose route reaches no queue', () => {
  let fixture: DelayFixture;
  let adapter: AmqpAdapter | undefined;
  const exchanges: string[] = [];

  beforeEach(async () => {
    fixture = await DelayFixture.open(url);
  });

  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
    resetConfiguration();
    await fixture.probe.deleteExchanges(exchanges.splice(0));
    await fixture.cleanup();
  });

  it('is refused at enqueue with an EnqueueError naming the exchange and routing key, like an immediate one', async () => {
    const queue = fixture.queue('lost');
    const exchange = `${fixture.prefix}x`;
    exchanges.push(exchange);
    // The queue exists, but its route names a routing key nothing is bound with.
    const topology = parseTopology([
      {
        file: 'unroutable.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${queue}\nroutes:\n  queues:\n    ${queue}:\n      exchange: ${exchange}\n      routingKey: nowhere\n`,
      },
    ]);
    adapter = new AmqpAdapter({ url, topology, delays: fixture.ladder });
    configure({ adapter });

    const immediate = await RecordJob.set({ queue })
      .performLater('now')
      .catch((error: unknown) => error);
    expect(immediate).toBeInstanceOf(EnqueueError);

    const delayed = await RecordJob.set({ queue, wait: 300 })
      .performLater('later')
      .catch((error: unknown) => error);
    expect(delayed).toBeInstanceOf(EnqueueError);
    expect((delayed as Error).message).toContain(`"${exchange}"`);
    expect((delayed as Error).message).toContain('"nowhere"');
    // Nothing was published into the ladder or the dead-letter queue.
    expect(await fixture.waitingInLadder()).toBe(0);
    expect(await fixture.probe.messageCountIfAny(fixture.deadLetterQueue)).toBe(0);
  });

  it('refuses a delayed job of a listed queue that no binding reaches, as the immediate publish is refused', async () => {
    const queue = fixture.queue('unbound');
    const exchange = `${fixture.prefix}main`;
    exchanges.push(exchange);
    // The file lists the queue but binds it to nothing: its default route (exchange, routing key = name) reaches no queue.
    const topology = parseTopology([
      { file: 'unbound.yaml', text: `defaultExchange: ${exchange}\nexchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${queue}\n` },
    ]);
    adapter = new AmqpAdapter({ url, topology, delays: fixture.ladder });
    configure({ adapter });

    const immediate = await RecordJob.set({ queue })
      .performLater('now')
      .catch((error: unknown) => error);
    expect(immediate).toBeInstanceOf(EnqueueError);
    expect((immediate as Error).message).toContain(`"${exchange}"`);

    const delayed = await RecordJob.set({ queue, wait: 300 })
      .performLater('later')
      .catch((error: unknown) => error);
    expect(delayed).toBeInstanceOf(EnqueueError);
    expect((delayed as Error).message).toContain(`"${exchange}"`);
    expect((delayed as Error).message).toContain(`"${queue}"`);
    expect(await fixture.waitingInLadder()).toBe(0);
    expect(await fixture.probe.messageCountIfAny(queue)).toBe(0);
  });

  it('still delays a job of a queue warren declares by name (bound by its name on first use)', async () => {
    const queue = fixture.queue('plain');
    adapter = new AmqpAdapter({ url, delays: fixture.ladder });
    configure({ adapter });
    const job = await RecordJob.set({ queue, wait: 300 }).performLater('later');
    expect(job.successfullyEnqueued).toBe(true);
  });
});
