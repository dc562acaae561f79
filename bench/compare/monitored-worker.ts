// The worker of bench/monitoring-cost.ts: warren's Worker as `warren-worker.ts` runs it, with the
// monitoring BENCH_MONITORING asks for: `off` (presence: false, no metrics), `presence` (the
// default: heartbeats on), `metrics` (heartbeats on and a WarrenMetrics observing the worker,
// its registry rendered once a second as a scrape would), `metrics-only` (presence: false and the
// metrics: what they cost alone). Unlike warren-worker.ts it listens to
// no per-job event (job:start, job:complete): their payloads are built only for a listener, and
// building them is part of what metrics cost. The job itself tells the meter it started and ended.
import { WarrenMetrics, Worker } from '../../src/index.js';
import { benchJobClass, benchRegistry } from './bench-job.js';
import { runWorker } from './child.js';
import { CONFIG } from './config.js';

export type Monitoring = 'off' | 'presence' | 'metrics' | 'metrics-only';

runWorker(async (meter, spec) => {
  const monitoring = (process.env.BENCH_MONITORING ?? 'presence') as Monitoring;
  if (!['off', 'presence', 'metrics', 'metrics-only'].includes(monitoring))
    throw new Error(`BENCH_MONITORING must be off, presence, metrics or metrics-only, not ${monitoring}`);
  const registry = benchRegistry(
    benchJobClass(spec.queue, (payload) => {
      meter.performStarted(payload);
      meter.completed();
    }),
  );
  const worker = new Worker({
    registry,
    queues: [spec.queue],
    concurrency: spec.prefetch,
    url: CONFIG.amqpUrl,
    handleSignals: false,
    ...(monitoring === 'off' || monitoring === 'metrics-only' ? { presence: false as const } : {}),
  });
  let scrapes: NodeJS.Timeout | undefined;
  if (monitoring === 'metrics' || monitoring === 'metrics-only') {
    const metrics = new WarrenMetrics();
    metrics.observeWorker(worker);
    scrapes = setInterval(() => void metrics.text(), 1_000);
  }
  // Trouble only: these are emitted on rare paths, listening to them costs a job nothing.
  const trouble = ['delivery:stale-ack', 'job:requeued', 'job:dead', 'job:error', 'job:retry', 'job:abandoned', 'connection:blocked'] as const;
  for (const event of trouble) worker.events.on(event, () => meter.incident(event));
  for (const event of ['connection:disconnect', 'connection:failed'] as const) {
    worker.events.on(event, ({ role, error }) => meter.incident(`${event} (${role}: ${error?.message ?? 'no error'})`));
  }
  return {
    consume: () => worker.start(),
    close: async () => {
      clearInterval(scrapes);
      await worker.stop();
    },
  };
});
