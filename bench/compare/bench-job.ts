// warren's side of the benchmark: one job class whose perform does nothing but tell the meter.
import { Job, JobRegistry } from '../../src/index.js';
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
