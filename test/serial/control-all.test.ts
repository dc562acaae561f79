// Control messages addressed to `all`, on the real broker. In the serial phase because `all`
// reaches every worker connected to the broker: beside other test files it would quiet theirs.
// Two workers both go quiet on one `quiet('all')`, and a signed worker ignores an unsigned one.
import { afterAll, expect, inject, it } from 'vitest';
import { Job, JobRegistry, Worker } from '../../src/index.js';
import { WorkerMonitor } from '../../src/rabbitmq.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
const prefix = uniquePrefix();
const queues = [`${prefix}a`, `${prefix}b`, `${prefix}signed`, `${prefix}dead`];
const workers: Worker[] = [];
const monitors: WorkerMonitor[] = [];

class IdleJob extends Job {
  static override jobName = 'ControlAllIdleJob';
  perform(): void {}
}
const registry = new JobRegistry().register(IdleJob);
const KEY = { keys: { ops: 'a-secret-of-at-least-16-bytes' } };

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await Promise.all(monitors.map((monitor) => monitor.close()));
  const probe = await BrokerProbe.open(url);
  await probe.deleteQueues(queues);
  await probe.close();
});

it("quiet('all') quiets every worker that obeys it; a worker with signing ignores the unsigned message", { timeout: 60_000 }, async () => {
  const [a, b, signedQueue, dead] = queues as [string, string, string, string];
  const start = async (queue: string, signing?: typeof KEY): Promise<Worker> => {
    const worker = new Worker({ url, registry, queues: [queue], handleSignals: false, deadLetterQueue: dead, ...(signing && { signing }) });
    workers.push(worker);
    await worker.start();
    return worker;
  };
  const first = await start(a);
  const second = await start(b);
  const signed = await start(signedQueue, KEY);
  const monitor = await WorkerMonitor.open({ url });
  monitors.push(monitor);
  await waitFor(async () => {
    const ids = (await monitor.workers({ refresh: true })).map((worker) => worker.id);
    return [first, second, signed].every((worker) => ids.includes(worker.id));
  }, 'the three workers to report themselves');

  await monitor.quiet('all');
  await waitFor(() => first.state === 'quiet' && second.state === 'quiet', 'both unsigned workers to be quiet');
  // Control messages are handled in order on one channel: once a ping answers, the quiet was read.
  await waitFor(async () => (await monitor.workers({ refresh: true })).some((worker) => worker.id === signed.id), 'a heartbeat of the signed worker');
  expect(signed.state).toBe('running');
  const listed = await monitor.workers({ refresh: true });
  expect(listed.filter((worker) => [first.id, second.id].includes(worker.id)).map((worker) => worker.state)).toEqual(['quiet', 'quiet']);
});
