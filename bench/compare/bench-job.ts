// warren's side of the benchmark: one job class whose perform does nothing but tell the meter.
import { Job, JobRegistry, type Topology } from '../../src/index.js';
import { parseTopology } from '../../src/topology/index.js';
import type { BenchPayload } from './payload.js';

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
 * With BENCH_WARREN_QUEUE=plain (a diagnostic row), the queue as a topology file declares a
 * queue without `maxPriority`: a plain classic queue instead of warren's default x-max-priority 10.
 */
export function benchTopology(queue: string): Topology | undefined {
  if (process.env.BENCH_WARREN_QUEUE !== 'plain') return undefined;
  const file = { queues: [{ name: queue }], bindings: [{ exchange: 'warren', queue }] };
  return parseTopology([{ file: 'bench.json', text: JSON.stringify(file) }]);
}
