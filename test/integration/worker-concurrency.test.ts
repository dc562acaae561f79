import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, Job, JobRegistry, performAllLater, Worker } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { resetConfiguration } from '../../src/testing/index.js';

const url = inject('amqpUrl');

/** How many jobs were started and not yet completed, at most, over a worker's life. */
function overlapOf(worker: Worker): { max: number; current: number; completed: number } {
  const seen = { max: 0, current: 0, completed: 0 };
  worker.events.on('job:start', () => {
    seen.current += 1;
    seen.max = Math.max(seen.max, seen.current);
  });
  worker.events.on('job:complete', () => {
    seen.current -= 1;
    seen.completed += 1;
  });
  return seen;
}

describe('Worker concurrency', () => {
  let prefix: string;
  let probe: BrokerProbe;
  let producer: AmqpAdapter;
  const workers: Worker[] = [];
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    producer = new AmqpAdapter({ url, logger: pino({ level: 'silent' }) });
    configure({ adapter: producer, logger: pino({ level: 'silent' }) });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await producer.close();
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  async function filledQueue(jobs: Job[], name: string): Promise<string> {
    queues.push(`${prefix}${name}`, `${prefix}${name}-dead`);
    expect(await performAllLater(jobs)).toBe(jobs.length);
    return `${prefix}${name}`;
  }

  function workerFor(queue: string, registry: JobRegistry, concurrency: number): Worker {
    const worker = new Worker({
      url,
      registry,
      queues: [queue],
      concurrency,
      handleSignals: false,
      deadLetterQueue: `${queue}-dead`,
      logger: pino({ level: 'silent' }),
    });
    workers.push(worker);
    return worker;
  }

  it('runs jobs that wait side by side, up to the concurrency (the prefetch)', async () => {
    const concurrency = 10;
    let started = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    class WaitingJob extends Job {
      static override jobName = 'StartsWaitingJob';
      async perform(): Promise<void> {
        started += 1;
        if (started === concurrency) openGate();
        // Each job waits until all ten are running: run one at a time, this would never end.
        await gate;
      }
    }
    const queue = await filledQueue(
      Array.from({ length: 30 }, () => WaitingJob.set({ queue: `${prefix}waiting` }).build()),
      'waiting',
    );
    const worker = workerFor(queue, new JobRegistry().register(WaitingJob), concurrency);
    const overlap = overlapOf(worker);
    await worker.start();
    await waitFor(() => overlap.completed === 30, '30 jobs completed');
    expect(overlap.max).toBe(concurrency);
  });
});
