// Ruby types survive warren (issue 16): a job Active Job 6.1 enqueued with whole-number Floats
// (1.0, -0.0, 15.0) and Times with microseconds and nanoseconds is retried by a warren worker and
// dead-lettered, and Active Job then deserializes exactly the original arguments from the dead
// letter (the retried body). The Times the job passes on to a Rails job compare equal in Ruby.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Job, JobRegistry, RubyTime } from '../../src/index.js';
import { type BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { openRailsHarness, type RailsHarness } from '../support/interop/rails-harness.js';
import { repositoryRoot } from '../support/paths.js';
import { runOk } from '../support/processes.js';

const url = inject('amqpUrl');
const script = join(repositoryRoot, 'test', 'support', 'interop', 'rails_fidelity.rb');
const runs: unknown[][] = [];
let passOnTo = '';

class FidelityJob extends Job {
  static override jobName = 'FidelityJob';
  static {
    this.retryOn(Error, { attempts: 2, wait: 100, jitter: 0 });
  }
  async perform(...args: unknown[]): Promise<void> {
    runs.push(args);
    // The last execution hands the two Times to a Rails job, then fails for good (dead letter).
    if (this.executions === 2) await FidelityJob.set({ queue: passOnTo }).performLater(args[0], args[1]);
    throw new Error(`execution ${this.executions} fails`);
  }
}

interface RubyCheck {
  job_id: string;
  executions: number;
  equal: boolean;
  got: string[];
  expected: string[];
}

describe('Ruby types through a warren retry and dead letter (Active Job 6.1)', { timeout: 120_000 }, () => {
  const prefix = uniquePrefix();
  const toWarren = `${prefix}fidelity`;
  const toRails = `${prefix}fidelity-rails`;
  const deadLetterQueue = `${prefix}dead`;
  const env = { ...process.env, AMQP_URL: url };
  let harness: RailsHarness | undefined;
  let broker: BrokerProbe;

  beforeAll(async () => {
    passOnTo = toRails;
    harness = await openRailsHarness(url, { registry: new JobRegistry().register(FidelityJob), queues: [toWarren], deadLetterQueue });
    broker = harness.broker;
  }, 900_000); // installing the packages on a fresh machine takes a while

  afterAll(async () => {
    await harness?.close([toWarren, toRails, deadLetterQueue]);
  });

  it('perform sees JS values; the retried dead letter and the passed-on Times are the Ruby originals', async () => {
    const jobId = (await runOk('ruby', [script, 'enqueue', '--queue', toWarren], { env })).trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(async () => (await broker.messageCountIfAny(deadLetterQueue)) === 1, 'the job to be retried and dead-lettered', 60_000);

    expect(runs).toHaveLength(2);
    const [first] = runs;
    expect(first![0]).toBeInstanceOf(RubyTime);
    expect((first![0] as RubyTime).iso).toBe('2026-11-22T10:00:00.123456000Z');
    expect((first![1] as RubyTime).nanoseconds).toBe(123_456_789);
    expect(first!.slice(2, 8)).toEqual([1, 2, -0, 15, 3, 2.5]);
    expect(Object.is(first![4], -0)).toBe(true);

    const dead = JSON.parse(await runOk('ruby', [script, 'check', '--queue', deadLetterQueue], { env })) as RubyCheck;
    expect(dead.job_id).toBe(jobId);
    expect(dead.executions).toBe(1); // the body warren wrote for the retry, not Rails' own
    expect(dead.got).toEqual(dead.expected);
    expect(dead.equal).toBe(true);

    const passedOn = JSON.parse(await runOk('ruby', [script, 'check', '--queue', toRails], { env })) as RubyCheck;
    expect(passedOn.got).toEqual(dead.expected.slice(0, 2));
  });
});
