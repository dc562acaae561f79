// Several broker addresses on the real broker: the first is a port nothing listens on, the
// second is the broker. The worker, the adapter, the one-shot readers and the CLI connect to
// the second; events and logs name the node, never its password. (Failover between live nodes
// of a cluster is tested in test/cluster/.)
import { createServer, type Server } from 'node:net';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DeadLetterQueue, Job, JobRegistry, Worker, type WorkerEvents } from '../../src/index.js';
import { StatsReader } from '../../src/rabbitmq.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { runCli } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');

class AddressJob extends Job {
  static override jobName = 'AddressJob';
  static performed: string[] = [];
  perform(label: string): void {
    AddressJob.performed.push(label);
  }
}
const registry = new JobRegistry().register(AddressJob);

/** A TCP port that refuses connections (bound, then closed). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('several broker addresses, the first one down', { timeout: 60_000 }, () => {
  let prefix: string;
  let probe: BrokerProbe;
  let down: string;
  const queues: string[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    const parsed = new URL(url);
    parsed.port = String(await closedPort());
    parsed.password = 'not-this-one';
    down = parsed.toString();
    AddressJob.performed = [];
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  it('a worker and an adapter given [down, broker, broker] connect to the second address and say which node they are on', async () => {
    const queue = `${prefix}jobs`;
    queues.push(queue, `${prefix}dead`);
    const addresses = [down, url, url];
    const adapter = new AmqpAdapter({ url: addresses, reconnectMinMs: 100 });
    closers.push(() => adapter.close());
    configure({ adapter });
    const connects: Array<WorkerEvents['connection:connect']> = [];
    const failures: Array<WorkerEvents['connection:failed']> = [];
    const worker = new Worker({ url: addresses, registry, queues: [queue], handleSignals: false, deadLetterQueue: `${prefix}dead`, reconnectMinMs: 100 });
    worker.events.on('connection:connect', (event) => connects.push(event));
    worker.events.on('connection:failed', (event) => failures.push(event));
    closers.push(() => worker.stop());
    await worker.start();
    await AddressJob.set({ queue }).performLater('through the second address');
    await waitFor(() => AddressJob.performed.length === 1, 'the job');

    const second = new URL(url);
    second.password = '***';
    expect(connects.map((event) => event.endpoint)).toContain(decodeURIComponent(second.toString()).replace(/\/$/, ''));
    expect(failures.some((event) => event.endpoint.includes(`:${new URL(down).port}`))).toBe(true);
    expect(JSON.stringify([connects, failures, worker, adapter])).not.toContain('not-this-one');
    expect(JSON.stringify(worker)).toContain(`:${new URL(down).port}`); // toJSON lists every address, redacted
  });

  it('the one-shot readers and the CLI take the first address that answers; none answering is one clear error naming each', async () => {
    const dead = await DeadLetterQueue.open({ url: `${down},${url}`, queue: `${prefix}dead` });
    closers.push(() => dead.close());
    expect(await dead.count()).toBe(0);
    const stats = await StatsReader.open({ url: [down, url], queues: [`${prefix}none`] });
    closers.push(() => stats.close());
    expect((await stats.snapshot()).queues).toEqual([]);

    const cli = await runCli(['stats', '--json', '--queue', `${prefix}none`], { AMQP_URL: `${down},${url}` });
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ queues: [] });

    const refused = await DeadLetterQueue.open({ url: [down, down] }).then(
      () => 'opened',
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/^cannot connect to the broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+: .*; amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+: /);
    expect(refused).not.toContain('not-this-one');
  });
});
