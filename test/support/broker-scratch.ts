// Per-test broker scratch space for integration tests: a unique name prefix, a probe, and
// the queues and exchanges a test declares, deleted after it (with what it adopted: an adapter).
import { afterEach, beforeEach } from 'vitest';
import type { QueueAdapter } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from './broker-probe.js';
import { resetConfiguration } from '../../src/testing/index.js';

export interface BrokerScratch {
  /** Unique per test: name every queue and exchange with it. */
  prefix: string;
  probe: BrokerProbe;
  /** Deleted after the test. */
  queues: string[];
  exchanges: string[];
  /** Set by tests that create TTL delay queues (listing queues to delete them is slow). */
  delayQueuesUsed: boolean;
  /** Closes `adapter` after the test, before anything is deleted; returns it. */
  adopt<A extends QueueAdapter>(adapter: A): A;
}

/** Registers the beforeEach/afterEach hooks of a describe block and returns its scratch space. */
export function useBrokerScratch(url: string): BrokerScratch {
  const adapters: QueueAdapter[] = [];
  const scratch: BrokerScratch = {
    prefix: '',
    probe: undefined as unknown as BrokerProbe,
    queues: [],
    exchanges: [],
    delayQueuesUsed: false,
    adopt(adapter) {
      adapters.push(adapter);
      return adapter;
    },
  };
  beforeEach(async () => {
    scratch.prefix = uniquePrefix();
    scratch.probe = await BrokerProbe.open(url);
  });
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((adapter) => adapter.close()));
    resetConfiguration();
    await scratch.probe.deleteQueues(scratch.queues.splice(0));
    if (scratch.delayQueuesUsed) await scratch.probe.deleteQueuesContaining(scratch.prefix);
    scratch.delayQueuesUsed = false;
    await scratch.probe.deleteExchanges(scratch.exchanges.splice(0));
    await scratch.probe.close();
  });
  return scratch;
}
