// The rate-limit half of the worker's gate, with a stand-in for the broker's permit queue: a job
// starts only when its permit was granted and seen within the start tolerance; a permit seen late
// is given up and the job published again for later, as a refused one is. (The permits themselves
// are tested on the broker: test/integration/flow/rate-limit.test.ts, bench/rate-limit.ts.)
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Job, JobRegistry } from '../../../src/index.js';
import { TestAdapter } from '../../../src/adapters/test/test-adapter.js';
import { RatePermits, type RatePermit } from '../../../src/amqp/rate-permits.js';
import type { SlotLocks } from '../../../src/amqp/slot-locks.js';
import type { Envelope } from '../../../src/envelope/envelope.js';
import { envelopeFor } from '../../../src/job/serialization.js';
import { FlowGate } from '../../../src/worker/flow-gate.js';

class MeteredJob extends Job {
  static override jobName = 'MeteredJob';
  static override rateLimit = { key: (account: string) => account, limit: 5, per: 1_000 };
  perform(_account: string): void {}
}

const registry = new JobRegistry().register(MeteredJob);

/** A gate whose permit store answers `granted`, sent `sentMsAgo` ms before it answered, and records the queues asked. */
function gateAnswering(granted: boolean, sentMsAgo: number): { gate: FlowGate; adapter: TestAdapter; asked: string[] } {
  const adapter = new TestAdapter({ registry });
  const asked: string[] = [];
  const permits = {
    async take(queue: string): Promise<RatePermit> {
      asked.push(queue);
      const sentAt = performance.now() - sentMsAgo;
      return { granted, sentAt, startBy: sentAt + RatePermits.startToleranceMs(1_000) - 5 };
    },
  } as unknown as RatePermits;
  const gate = new FlowGate(registry, {} as SlotLocks, permits, adapter, pino({ level: 'silent' }));
  return { gate, adapter, asked };
}

/** The envelope of a MeteredJob for `account`, as a producer would publish it. */
function envelopeOf(account: string): Envelope {
  return envelopeFor(MeteredJob.build(account), [account]);
}

describe('the rate gate', () => {
  it('starts a job whose permit was granted and seen within the tolerance, asking the key queue of its window', async () => {
    const { gate, adapter, asked } = gateAnswering(true, 0);
    const envelope = envelopeOf('acme');
    const decision = await gate.admit(envelope, gate.limitFor(envelope)!);
    expect(decision.run).toBe(true);
    expect(asked).toEqual([RatePermits.queueName('MeteredJob', 'acme', 5, 1_000)]);
    expect(adapter.enqueuedJobs).toEqual([]);
  });

  it('does not start a job whose grant it saw later than the tolerance: the job is published again for later', async () => {
    const late = RatePermits.startToleranceMs(1_000) + 30;
    const { gate, adapter } = gateAnswering(true, late);
    const envelope = envelopeOf('acme');
    const decision = await gate.admit(envelope, gate.limitFor(envelope)!);
    expect(decision.run).toBe(false);
    expect(adapter.enqueuedJobs).toHaveLength(1);
    expect(adapter.enqueuedJobs[0]!.envelope.job_id).toBe(envelope.job_id);
    expect(adapter.enqueuedJobs[0]!.scheduledAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('starts a job with a late grant once this worker gave its permit up three times: an event loop always behind must not starve it', async () => {
    const late = RatePermits.startToleranceMs(1_000) + 30;
    const { gate, adapter } = gateAnswering(true, late);
    const envelope = envelopeOf('initech');
    const decisions: boolean[] = [];
    for (let n = 0; n < 5; n += 1) decisions.push((await gate.admit(envelope, gate.limitFor(envelope)!)).run);
    expect(decisions).toEqual([false, false, false, true, false]);
    expect(adapter.enqueuedJobs).toHaveLength(4);
  });

  it('postpones a refused job to a moment of the window, never sooner than per / limit', async () => {
    const { gate, adapter } = gateAnswering(false, 0);
    const envelope = envelopeOf('globex');
    const before = Date.now();
    const decision = await gate.admit(envelope, gate.limitFor(envelope)!);
    expect(decision).toMatchObject({ run: false });
    const wait = (decision as { postponedBy: number }).postponedBy;
    expect(wait).toBeGreaterThanOrEqual(200);
    expect(wait).toBeLessThanOrEqual(1_000);
    expect(adapter.enqueuedJobs[0]!.scheduledAt!.getTime()).toBeGreaterThanOrEqual(before + 200);
  });
});
