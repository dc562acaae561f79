// Rails Active Job (Debian's ruby-activejob, Rails 6.1) both ways, on the real broker:
// examples/rails/enqueue.rb enqueues a ReportJob with Active Job itself for a warren worker,
// and examples/rails/perform.rb performs the ReportJob warren enqueued with Active Job.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AmqpAdapter,
  asKeywordArguments,
  CalendarDate,
  configure,
  currentLocale,
  currentTimezone,
  Decimal,
  Duration,
  GlobalId,
  Job,
  JobRegistry,
  registerLocator,
  RubyDateTime,
  rubyHashForm,
  RubySymbol,
  serializeArguments,
  withLocale,
  withSymbolKeys,
  withTimezone,
  Worker,
  ZonedTime,
} from '../../src/index.js';
import { resetArgumentRegistries, resetConfiguration } from '../../src/testing/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { envelopeOf } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';
import { INTEROP_PACKAGES, ensureDebianPackages } from '../support/interop/toolchains.js';
import { examplesDir } from '../support/paths.js';
import { run, runOk } from '../support/processes.js';

const url = inject('amqpUrl');
const railsDir = join(examplesDir, 'rails');

interface Received {
  args: unknown[];
  locale: string;
  timezone: string;
}

const received = new Map<string, Received>();

/** The warren side of the ReportJob both apps know. */
class ReportJob extends Job {
  static override jobName = 'ReportJob';
  perform(...args: unknown[]): void {
    received.set(this.jobId, { args, locale: currentLocale(), timezone: currentTimezone() });
  }
}

/** A warren model that identifies itself as a Rails record: `gid://shop/User/42`. */
class ShopUser {
  constructor(readonly id: number) {}
  toGlobalId(): GlobalId {
    return GlobalId.create('User', this.id, { app: 'shop' });
  }
}

describe('Rails Active Job 6.1 <-> warren', () => {
  const prefix = uniquePrefix();
  const toWarren = `${prefix}reports`;
  const toRails = `${prefix}rails-reports`;
  const deadLetterQueue = `${prefix}dead`;
  let broker: BrokerProbe;
  let worker: Worker;
  let adapter: AmqpAdapter;
  const env = { ...process.env, AMQP_URL: url };

  beforeAll(async () => {
    ensureDebianPackages(INTEROP_PACKAGES.rails);
    registerLocator('User', { find: (id) => ({ model: 'User', id }) });
    broker = await BrokerProbe.open(url);
    worker = new Worker({ url, registry: new JobRegistry().register(ReportJob), queues: [toWarren], deadLetterQueue, handleSignals: false });
    await worker.start();
    adapter = new AmqpAdapter({ url });
  }, 900_000);

  afterEach(() => resetConfiguration());

  afterAll(async () => {
    await worker?.stop();
    await adapter?.close();
    await broker?.deleteQueues([toWarren, toRails, deadLetterQueue]);
    await broker?.close();
    resetArgumentRegistries();
  });

  it('performs a job Active Job serialized, with faithful arguments, locale and timezone', async () => {
    const jobId = (await runOk('ruby', [join(railsDir, 'enqueue.rb'), '--queue', toWarren], { env })).trim();
    await waitFor(() => received.has(jobId), 'the Rails job to be performed');
    const { args, locale, timezone } = received.get(jobId)!;

    expect({ locale, timezone }).toEqual({ locale: 'es', timezone: 'America/Los_Angeles' });
    expect(args).toEqual([
      { model: 'User', id: '42' }, // GlobalID, located through the registered User locator
      { period: new RubySymbol('weekly'), filters: { region: 'EU', tags: ['vip', 1.5] } },
      new RubySymbol('weekly'),
      new CalendarDate(2024, 5, 31),
      new Date('2024-05-01T12:30:45.123Z'),
      new RubyDateTime('2024-05-01T14:30:00.000000000+02:00'),
      new Duration(5400, { minutes: 90 }),
      '1234.56', // Rails 6.1 writes a BigDecimal as a bare string (7.1 uses BigDecimalSerializer)
      new ZonedTime('2024-05-01T05:00:00.000000000-07:00', null), // 6.1 writes no time_zone key
      2n ** 70n,
      { notify: true },
    ]);
    const [, options, , , , , , , , , keywords] = args as object[];
    expect(rubyHashForm(options!)).toEqual({ kind: 'symbol_keys', symbolKeys: ['period'] });
    expect(rubyHashForm((options as { filters: object }).filters)).toEqual({ kind: 'symbol_keys', symbolKeys: ['region'] });
    expect(rubyHashForm(keywords!)).toEqual({ kind: 'ruby2_keywords', symbolKeys: ['notify'] });
  });

  it('enqueues jobs that Active Job deserializes into the same class and arguments', async () => {
    configure({ adapter });
    const reportArgs = (total: string | Decimal) => [
      new ShopUser(42),
      withSymbolKeys({ period: new RubySymbol('weekly'), filters: withSymbolKeys({ region: 'EU', tags: ['vip', 1.5] }, ['region']) }, ['period']),
      new RubySymbol('weekly'),
      new CalendarDate(2024, 5, 31),
      new Date('2024-05-01T12:30:45.123Z'),
      new RubyDateTime('2024-05-01T14:30:00.000000000+02:00'),
      Duration.minutes(90),
      total,
      new ZonedTime('2024-05-01T05:00:00.000000000-07:00', 'America/Los_Angeles'),
      2n ** 70n,
      asKeywordArguments({ notify: true }),
    ];
    // Through the job layer (Rails 7.1 format, which 6.1 reads for every type but BigDecimal).
    const viaJob = await withLocale('es', () =>
      withTimezone('America/Los_Angeles', () => ReportJob.set({ queue: toRails }).performLater(...reportArgs('1234.56'))),
    );
    // The envelope layer's Rails 6.1 mode: a Decimal travels as 6.1 writes a BigDecimal.
    const envelope = envelopeOf('ReportJob', serializeArguments(reportArgs(new Decimal('1234.56')), { railsCompatibility: '6.1' }), {
      job_id: '0b6f5a1e-2c1d-4e8f-9a7b-3c2d1e0f9a8b',
      queue_name: toRails,
      locale: 'es',
      timezone: 'America/Los_Angeles',
      enqueued_at: new Date().toISOString(),
    });
    await adapter.enqueue(envelope);

    const stdout = await runOk('ruby', [join(railsDir, 'perform.rb'), '--queue', toRails, '--count', '2'], { env });
    const performed = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(performed.map((job) => job.job_id)).toEqual([viaJob.jobId, envelope.job_id]);
    for (const job of performed) {
      expect(job).toEqual({
        job_id: job.job_id,
        locale: 'es',
        timezone: 'America/Los_Angeles',
        arguments: [
          { User: 42 },
          { Hash: { ':period': { Symbol: 'weekly' }, filters: { Hash: { ':region': 'EU', tags: ['vip', 1.5] } } } },
          { Symbol: 'weekly' },
          { Date: '2024-05-31' },
          { Time: '2024-05-01T12:30:45.123000000Z' },
          { DateTime: '2024-05-01T14:30:00.000000000+02:00' },
          { Duration: 5400, parts: { minutes: 90 } },
          '1234.56',
          { TimeWithZone: '2024-05-01T12:00:00.000000000Z', zone: 'UTC' },
          { Integer: '1180591620717411303424' },
        ],
        keywords: { notify: true },
      });
    }
  });

  it("the example's warren side runs as shipped: worker.ts performs what enqueue.rb enqueued, perform.rb runs what enqueue.ts enqueued", async () => {
    const tsx = ['--import', 'tsx'];
    const exampleQueue = `${prefix}example-reports`;
    const exampleToRails = `${prefix}example-rails-reports`;
    try {
      // worker.ts first: it declares its queue. It stops by itself after one job.
      const workerRun = run(process.execPath, [...tsx, join(railsDir, 'worker.ts'), '--queue', exampleQueue, '--count', '1'], { env, timeoutMs: 120_000 });
      await waitFor(async () => (await broker.queueExists(exampleQueue)) === true, 'worker.ts to declare its queue');
      const jobId = (await runOk('ruby', [join(railsDir, 'enqueue.rb'), '--queue', exampleQueue], { env })).trim();
      const performed = await workerRun;
      expect(performed.code, performed.stderr).toBe(0);
      const line = JSON.parse(performed.stdout.trim().split('\n').at(-1)!) as { jobId: string; locale: string; timezone: string; arguments: string[] };
      expect(line).toMatchObject({ jobId, locale: 'es', timezone: 'America/Los_Angeles' });
      expect(line.arguments[0]).toBe('ShopUser { id: 42 }');
      expect(line.arguments[2]).toBe("RubySymbol { name: 'weekly' }");
      expect(line.arguments[9]).toBe('1180591620717411303424n');

      const enqueuedId = (await runOk(process.execPath, [...tsx, join(railsDir, 'enqueue.ts'), '--queue', exampleToRails], { env })).trim();
      const rails = JSON.parse((await runOk('ruby', [join(railsDir, 'perform.rb'), '--queue', exampleToRails, '--count', '1'], { env })).trim()) as Record<
        string,
        unknown
      >;
      expect(rails).toMatchObject({ job_id: enqueuedId, locale: 'es', timezone: 'America/Los_Angeles', keywords: { notify: true } });
      expect((rails.arguments as unknown[])[0]).toEqual({ User: 42 });
    } finally {
      await broker.deleteQueues([exampleQueue, exampleToRails]);
    }
  });

  it("Rails 6.1 puts a warren ZonedTime in the consumer's own Time.zone (it ignores time_zone and converts before Time.use_zone); perform runs in the job's timezone", async () => {
    const queueForTokyo = `${prefix}tokyo-reports`;
    try {
      await runOk(process.execPath, ['--import', 'tsx', join(railsDir, 'enqueue.ts'), '--queue', queueForTokyo], {
        env: { ...env, WARREN_LOG_LEVEL: 'silent' },
      });
      const stdout = await runOk('ruby', [join(railsDir, 'perform.rb'), '--queue', queueForTokyo, '--count', '1', '--time-zone', 'Asia/Tokyo'], { env });
      const performed = JSON.parse(stdout.trim()) as { timezone: string; arguments: unknown[] };
      // Producer: ZonedTime 05:00 in America/Los_Angeles (12:00Z). Consumer: config.time_zone Asia/Tokyo.
      expect(performed.arguments[8]).toEqual({ TimeWithZone: '2024-05-01T21:00:00.000000000+09:00', zone: 'Asia/Tokyo' });
      expect(performed.timezone).toBe('America/Los_Angeles');
    } finally {
      await broker.deleteQueues([queueForTokyo]);
    }
  });

  it('refuses at enqueue, in Rails, an argument a warren worker cannot read', async () => {
    const script = [
      `require_relative ${JSON.stringify(join(railsDir, 'report_job'))}`,
      `require_relative ${JSON.stringify(join(railsDir, 'warren_adapter'))}`,
      'class Money; attr_reader :cents; def initialize(cents) = @cents = cents; end',
      'class MoneySerializer < ActiveJob::Serializers::ObjectSerializer',
      '  def serialize(money) = super("cents" => money.cents)',
      '  def deserialize(hash) = Money.new(hash["cents"])',
      '  private def klass = Money',
      'end',
      'ActiveJob::Serializers.add_serializers MoneySerializer',
      'class MoneyArgumentJob < ActiveJob::Base; def perform(money) = nil; end',
      'ActiveJob::Base.queue_adapter = ActiveJob::QueueAdapters::WarrenAdapter.new',
      'MoneyArgumentJob.perform_later(Money.new(5))',
    ].join('\n');
    const result = await run('ruby', ['-e', script], { env });
    expect(result.code).not.toBe(0);
    // A serializer the warren application did not register (known_serializers): refused in Rails, at enqueue.
    expect(result.stderr).toContain('a warren worker cannot read arguments serialized by MoneySerializer');
  });
});
