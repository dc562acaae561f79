// warren's side of the benchmark: one job class whose perform does nothing but tell the meter.
import { Job, JobRegistry, type Topology } from '../../src/index.js';
import { parseTopology } from '../../src/topology/index.js';
import type { BenchPayload } from './payload.js';
import type { QueueKind } from './protocol.js';

/** A job class on `queue` whose perform calls `onPerform` and returns. */
export function benchJobClass(queue: string, onPerform: (payload: BenchPayload) => void = () => {}) {
  return class BenchJob extends Job {
    static override jobName = 'BenchJob';
    static {
      this.queueAs(queue);
    }
    async perform(payload: BenchPayload): Promise<void> {
      onPerform(payload);
    }
  };
}

export function benchRegistry(jobClass: ReturnType<typeof benchJobClass>): JobRegistry {
  return new JobRegistry().register(jobClass);
}

/**
 * The topology of a row's queues: none for `classic` (warren's default queue, declared on first
 * use), otherwise a topology file declaring each queue with `maxPriority: 10` or `type: quorum`
 * and binding it to the `warren` exchange, as an application's file would.
 */
export function benchTopology(queues: readonly string[], kind: QueueKind = 'classic'): Topology | undefined {
  if (kind === 'classic') return undefined;
  const file = {
    queues: queues.map((name) => (kind === 'priority' ? { name, maxPriority: 10 } : { name, type: 'quorum' })),
    bindings: queues.map((queue) => ({ exchange: 'warren', queue })),
  };
  return parseTopology([{ file: 'bench.json', text: JSON.stringify(file) }]);
}
