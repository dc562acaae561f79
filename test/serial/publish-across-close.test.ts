// Publishes in flight when the broker drops the connection are re-sent on the next channel and
// confirmed there: none waits for its timeout, none is refused, none is lost. (Before the
// publisher tracked its own unconfirmed messages, a publish whose confirm the closed channel
// never delivered waited out the whole publish timeout and then failed.)
import { afterAll, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure } from '../../src/index.js';
import { BlockingJob } from '../fixtures/jobs.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { forceCloseConnections } from '../support/broker-control.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');
const queue = `${uniquePrefix()}across-close`;
const cleanup: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  const probe = await BrokerProbe.open(url);
  await probe.deleteQueues([queue]);
  await probe.close();
  resetConfiguration();
});

it('publishes in flight during a forced close are all confirmed after the reconnect, long before their timeout, and every one is in the queue', {
  timeout: 120_000,
}, async () => {
  const publishTimeoutMs = 60_000;
  const producer = new AmqpAdapter({ url, reconnectMinMs: 100, publishTimeoutMs });
  configure({ adapter: producer });
  cleanup.push(() => producer.close());
  await BlockingJob.set({ queue }).performLater('warm-up', 0); // connected, queue declared

  const count = 3_000;
  const started = Date.now();
  const pending = Array.from({ length: count }, (_, i) => BlockingJob.set({ queue }).performLater(`in-flight-${i}`, 0));
  await forceCloseConnections('warren serial test: publishes in flight');
  const outcomes = await Promise.allSettled(pending);
  const elapsed = Date.now() - started;

  const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
  expect(refused.map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([]);
  // Not a speed figure: a publish stranded on the dead channel would wait the full 60 s timeout.
  expect(elapsed).toBeLessThan(publishTimeoutMs / 2);

  const ids = new Set(outcomes.map((outcome) => (outcome as PromiseFulfilledResult<{ jobId: string }>).value.jobId));
  const probe = await BrokerProbe.open(url);
  cleanup.push(() => probe.close());
  const seen = new Set<string>();
  let copies = 0;
  for (let message = await probe.get(queue); message; message = await probe.get(queue)) {
    copies += 1;
    seen.add(message.properties.messageId as string);
  }
  const missing = [...ids].filter((id) => !seen.has(id));
  expect(missing).toEqual([]);
  console.info(`publish across close: ${count} confirmed in ${elapsed} ms, ${copies - 1 - count} re-sent copies (same message id)`);
});
