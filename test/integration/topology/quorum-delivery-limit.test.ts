// A quorum job queue with a delivery limit, on the real broker: a job whose every run ends with
// its worker gone (abandoned, redelivered) passes the limit, and the broker dead-letters it into
// warren's dead-letter queue, where `warren dead list` reads it with the reason `delivery-limit`.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, DeadLetterQueue, Job, JobRegistry, parseTopology, Worker } from '../../../src/index.js';
import { applyTopology } from '../../../src/rabbitmq.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');

/** Runs until its worker gives up on it (the worker "dies" with the job running). */
class CrashingJob extends Job {
  static override jobName = 'QuorumCrashingJob';
  static started = 0;
  async perform(): Promise<void> {
    CrashingJob.started += 1;
    await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve()));
  }
}
const registry = new JobRegistry().register(CrashingJob);

describe('a quorum job queue with a delivery limit', { timeout: 60_000 }, () => {
  let prefix: string;
  let probe: BrokerProbe;
  const queues: string[] = [];

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
    CrashingJob.started = 0;
  });

  afterEach(async () => {
    resetConfiguration();
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  it('dead-letters a job redelivered past the limit into the dead-letter queue, with the reason delivery-limit', async () => {
    const jobs = `${prefix}jobs`;
    const dead = `${prefix}dead`;
    queues.push(jobs, dead);
    const topology = parseTopology([
      {
        file: 'topology/quorum-test.yaml',
        text: [
          'queueType: quorum',
          'queues:',
          `  - { name: ${jobs}, deliveryLimit: 1, deadLetterExchange: "", deadLetterRoutingKey: ${dead} }`,
          `  - { name: ${dead} }`,
          'routes:',
          `  queues: { ${jobs}: { exchange: "" } }`,
        ].join('\n'),
      },
    ]);
    await applyTopology(url, topology);
    const adapter = new AmqpAdapter({ url, topology });
    configure({ adapter });
    const job = await CrashingJob.set({ queue: jobs }).performLater();
    await adapter.close();

    // Two runs, each ended by its worker going away with the job unacknowledged.
    for (let run = 1; run <= 2; run += 1) {
      const worker = new Worker({ url, registry, topology, queues: [jobs], handleSignals: false, deadLetterQueue: dead, shutdownTimeoutMs: 100 });
      await worker.start();
      await waitFor(() => CrashingJob.started === run, `run ${run}`);
      const stopped = worker.stop();
      worker.abortNow();
      await stopped;
    }

    await waitFor(async () => (await probe.messageCount(dead)) === 1, 'the broker to dead-letter the job past its delivery limit');
    expect(await probe.messageCount(jobs)).toBe(0);
    const letters = await DeadLetterQueue.open({ url, queue: dead });
    try {
      const [letter] = await letters.list();
      expect(letter).toMatchObject({ jobId: job.jobId, jobClass: 'QuorumCrashingJob', reason: 'delivery-limit', originalQueue: jobs });
    } finally {
      await letters.close();
    }
  });
});
