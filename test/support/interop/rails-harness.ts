// What the Rails interop tests share: Active Job from Debian, a probe connection, a warren
// producer configured as the default adapter, and a warren worker on the test's queues.
import { AmqpAdapter, configure, type JobRegistry, Worker } from '../../../src/index.js';
import { BrokerProbe } from '../broker-probe.js';
import { INTEROP_PACKAGES, ensureDebianPackages } from './toolchains.js';
import { resetConfiguration } from '../../../src/testing/index.js';

export interface RailsHarness {
  broker: BrokerProbe;
  adapter: AmqpAdapter;
  worker: Worker;
  /** Stops the worker, closes the producer and the probe, and deletes `queues`. */
  close(queues: readonly string[]): Promise<void>;
}

export async function openRailsHarness(url: string, options: { registry: JobRegistry; queues: string[]; deadLetterQueue: string }): Promise<RailsHarness> {
  ensureDebianPackages(INTEROP_PACKAGES.rails);
  const broker = await BrokerProbe.open(url);
  const adapter = new AmqpAdapter({ url });
  configure({ adapter });
  const worker = new Worker({ url, ...options, handleSignals: false });
  await worker.start();
  return {
    broker,
    adapter,
    worker,
    async close(queues) {
      await worker.stop();
      await adapter.close();
      resetConfiguration();
      await broker.deleteQueues(queues);
      await broker.close();
    },
  };
}
