// Rails' own Active Job 6.1.7.10 test cases, both ways through RabbitMQ (issue 24). The Ruby
// side, test/interop/rails-suite/wire_cases.rb, holds every case of
// activejob/test/cases/argument_serialization_test.rb (and the job fields of
// job_serialization_test.rb, queue_priority_test.rb, queue_naming_test.rb, translation_test.rb,
// timezones_test.rb) with the real Active Job 6.1 from Debian:
// - Rails -> warren: what `perform` receives, with exact JS types;
// - warren -> Rails: what Active Job deserializes from warren's job, compared in Ruby with what
//   Rails gets from its own JSON (class, value, digits, sign, zone, keys);
// - refusals: what Rails refuses with SerializationError, warren refuses at enqueue.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resetArgumentRegistries } from '../../src/testing/index.js';
import {
  asKeywordArguments,
  CalendarDate,
  currentLocale,
  currentTimezone,
  Decimal,
  Duration,
  GlobalId,
  Job,
  JobRegistry,
  registerLocator,
  RubyDateTime,
  RubyFloat,
  rubyHashForm,
  RubyModule,
  RubySymbol,
  RubyTime,
  SerializationError,
  withIndifferentAccess,
  withLocale,
  withSymbolKeys,
  withTimezone,
  ZonedTime,
} from '../../src/index.js';
import { type BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { waitFor } from '../support/wait.js';
import { openRailsHarness, type RailsHarness } from '../support/interop/rails-harness.js';
import { repositoryRoot } from '../support/paths.js';
import { runOk } from '../support/processes.js';

const url = inject('amqpUrl');
const script = join(repositoryRoot, 'test', 'interop', 'rails-suite', 'wire_cases.rb');

interface Performed {
  args: unknown[];
  jobId: string;
  queueName: string;
  priority: number | undefined;
  locale: string;
  timezone: string;
  enqueuedAt: Date | undefined;
}
const performed = new Map<string, Performed>();

/** The job both sides know. Rails 6.1 performs what warren enqueues: the class says so. */
class WireCaseJob extends Job {
  static override jobName = 'WireCaseJob';
  static override railsCompatibility = '6.1' as const;
  perform(name: string, ...args: unknown[]): void {
    performed.set(name, {
      args,
      jobId: this.jobId,
      queueName: this.queueName,
      priority: this.priority,
      locale: currentLocale(),
      timezone: currentTimezone(),
      enqueuedAt: this.enqueuedAt,
    });
  }
}

/** queue_naming_test.rb's PrefixedJob: its queue name carries the class's prefix, chosen on the Rails side. */
class PrefixedWireCaseJob extends WireCaseJob {
  static override jobName = 'PrefixedWireCaseJob';
}

/** The Rails app's Person (activejob/test/models/person.rb) as warren locates it. */
class Person {
  constructor(readonly id: string) {}
  toGlobalId(): GlobalId {
    return GlobalId.create('Person', this.id, { app: 'aj' });
  }
}

const person = new Person('5');
const MODULE = 'ArgumentSerializationTest::ModuleArgument';

/** Rails -> warren: what perform receives for each case of wire_cases.rb, with exact JS types. */
const RECEIVED: Record<string, unknown[]> = {
  nil: [null],
  integer: [1],
  float: [1], // a JS number; the received JSON keeps 1.0 for retries (see rails-fidelity.test.ts)
  'big integer': [10n ** 21n],
  string: ['a'],
  true: [true],
  false: [false],
  BigDecimal: ['5.0'], // Rails 6.1 writes a BigDecimal as its to_s: Rails itself gets the String back
  symbol: [new RubySymbol('a')],
  duration: [new Duration(86_400, { days: 1 })],
  date: [new CalendarDate(2001, 2, 3)],
  time: [new RubyTime('2002-10-31T02:02:02.123456789+02:00')],
  datetime: [new RubyDateTime('2001-02-03T04:05:06.123456000+03:00')],
  'time with zone': [new ZonedTime('1999-12-31T23:59:59.123456789Z', null)],
  array: [[1, 'a']],
  'string-key hash': [{ a: 1 }],
  module: [new RubyModule(MODULE)],
  'nested class': [new RubyModule(`${MODULE}::ClassArgument`)],
  class: [new RubyModule('ArgumentSerializationTest::ClassArgument')],
  record: [person],
  'gid string': ['gid://aj/Person/5'],
  'deep array': [3, [person]],
  'deep hash': [{ a: person }],
  'string and symbol keys': [{ a: 1, b: 2 }],
  'symbol-key hash': [{ a: 1 }],
  'indifferent access': [{ a: 1 }],
  parameters: [{ a: 1 }],
  'time with zone in Alaska': [new ZonedTime('2002-10-30T17:02:02.000000000-09:00', null)],
  'keyword arguments': [{ argument: 2 }],
};

/** The Ruby hash form each hash case must arrive with. */
const HASH_FORMS: Record<string, ReturnType<typeof rubyHashForm>> = {
  'string-key hash': { kind: 'string_keys', symbolKeys: [] },
  'string and symbol keys': { kind: 'symbol_keys', symbolKeys: ['a'] },
  'symbol-key hash': { kind: 'symbol_keys', symbolKeys: ['a'] },
  'indifferent access': { kind: 'indifferent_access', symbolKeys: [] },
  parameters: { kind: 'indifferent_access', symbolKeys: [] },
  'keyword arguments': { kind: 'ruby2_keywords', symbolKeys: ['argument'] },
};

/** warren -> Rails: the JS values a warren app writes for each case. */
const WRITTEN: Record<string, unknown[]> = {
  ...RECEIVED,
  float: [new RubyFloat(1)],
  BigDecimal: [new Decimal('5')], // written as "5.0" for Rails 6.1 (WireCaseJob.railsCompatibility)
  'time with zone': [new ZonedTime('1999-12-31T23:59:59.123456789Z', 'UTC')],
  'string-key hash': [{ a: 1 }],
  'string and symbol keys': [withSymbolKeys({ a: 1, b: 2 }, ['a'])],
  'symbol-key hash': [withSymbolKeys({ a: 1 })],
  'indifferent access': [withIndifferentAccess({ a: 1 })],
  parameters: [withIndifferentAccess({ a: 1 })],
  'time with zone in Alaska': [new ZonedTime('2002-10-30T17:02:02.000000000-09:00', 'America/Anchorage')],
  'keyword arguments': [asKeywordArguments({ argument: 2 })],
};

interface RubyResult {
  case: string;
  same: boolean | null;
  got: string;
  expected: string;
  content_type: string;
  job: {
    class: string;
    job_id: string;
    queue_name: string;
    priority: number | null;
    locale: string;
    timezone: string | null;
    executions: number;
    enqueued_at: string;
  };
}

describe("Rails' own Active Job 6.1 test cases, both ways through RabbitMQ", { timeout: 180_000 }, () => {
  const prefix = uniquePrefix();
  const toWarren = `${prefix}wire`;
  const prefixedDefault = `${prefix}rails_default`;
  const toRails = `${prefix}wire-rails`;
  const refused = `${prefix}wire-refused`;
  const deadLetterQueue = `${prefix}dead`;
  const env = { ...process.env, AMQP_URL: url };
  let harness: RailsHarness | undefined;
  let broker: BrokerProbe;

  beforeAll(async () => {
    registerLocator('Person', { find: (id) => new Person(id) });
    const registry = new JobRegistry().register(WireCaseJob, PrefixedWireCaseJob);
    harness = await openRailsHarness(url, { registry, queues: [toWarren, prefixedDefault], deadLetterQueue });
    broker = harness.broker;
  }, 900_000); // installing the packages on a fresh machine takes a while

  afterAll(async () => {
    await harness?.close([toWarren, prefixedDefault, toRails, refused, deadLetterQueue]);
    resetArgumentRegistries();
  });

  it('Rails -> warren: every argument case reaches perform with its exact JS type', async () => {
    const ids = JSON.parse(await runOk('ruby', [script, 'enqueue', '--queue', toWarren], { env })) as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(Object.keys(RECEIVED).sort());
    await waitFor(() => Object.keys(ids).every((name) => performed.has(name)), 'every Rails case to be performed', 60_000);
    for (const [name, expected] of Object.entries(RECEIVED)) {
      const { args, jobId } = performed.get(name)!;
      expect(jobId, name).toBe(ids[name]);
      expect(args, name).toEqual(expected);
      for (const [index, value] of expected.entries()) {
        if (value !== null && typeof value === 'object')
          expect(Object.getPrototypeOf(args[index]), `${name}: the class of argument ${index}`).toBe(Object.getPrototypeOf(value));
        else expect(typeof args[index], name).toBe(typeof value);
      }
      if (HASH_FORMS[name]) expect(rubyHashForm(args[0] as object), name).toEqual(HASH_FORMS[name]);
    }
    expect(Object.is((performed.get('float')!.args[0] as number) + 0, 1)).toBe(true);
    expect(rubyHashForm(performed.get('deep hash')!.args[0] as object)).toEqual({ kind: 'string_keys', symbolKeys: [] });
  });

  it('warren -> Rails: Active Job deserializes each case exactly as Rails does from its own JSON', async () => {
    for (const [name, args] of Object.entries(WRITTEN)) await WireCaseJob.set({ queue: toRails }).performLater(name, ...args);
    const results = JSON.parse(
      await runOk('ruby', [script, 'check', '--queue', toRails, '--count', String(Object.keys(WRITTEN).length)], { env }),
    ) as RubyResult[];
    expect(results.map((result) => result.case).sort()).toEqual(Object.keys(WRITTEN).sort());
    const different = results.filter((result) => result.same !== true).map(({ case: name, got, expected }) => ({ case: name, got, expected }));
    expect(different).toEqual([]);
  });

  it('job fields both ways: queue (with a prefix), priority, locale, time zone, job id, enqueued_at', async () => {
    const rails = JSON.parse(await runOk('ruby', [script, 'enqueue-fields', '--queue', toWarren, '--prefix', `${prefix}rails`], { env })) as Record<
      string,
      { job_id: string; queue_name: string; priority: number | null; locale: string; timezone: string; enqueued_at: string }
    >;
    await waitFor(() => performed.has('fields') && performed.has('prefixed'), 'the Rails jobs with fields', 60_000);
    const fields = performed.get('fields')!;
    const sent = rails['set priority, locale, time zone']!;
    expect(fields).toMatchObject({ jobId: sent.job_id, queueName: toWarren, priority: 3, locale: 'de', timezone: 'Hawaii' });
    expect(fields.enqueuedAt?.getTime()).toBe(new Date(sent.enqueued_at).getTime()); // whole seconds, "Z"
    expect(performed.get('prefixed')!.queueName).toBe(prefixedDefault);
    expect(rails['prefixed default queue']!.queue_name).toBe(prefixedDefault);

    const job = await withLocale('es', () => withTimezone('Europe/Madrid', () => WireCaseJob.set({ queue: toRails, priority: 7 }).performLater('fields back')));
    const [result] = JSON.parse(await runOk('ruby', [script, 'check', '--queue', toRails, '--count', '1'], { env })) as RubyResult[];
    expect(result!.job).toMatchObject({
      class: 'WireCaseJob',
      job_id: job.jobId,
      queue_name: toRails,
      priority: 7,
      locale: 'es',
      timezone: 'Europe/Madrid',
      executions: 0,
    });
    expect(new Date(result!.job.enqueued_at).getTime()).toBe(job.enqueuedAt!.getTime());
    expect(result!.content_type).toBe('application/json');
  });

  it('refusals: what Rails refuses with SerializationError, warren refuses at enqueue, publishing nothing', async () => {
    class Widget {}
    const unsaved = { toGlobalId: () => GlobalId.create('Person', null as unknown as string) };
    const inputs: Array<[string, unknown[], RegExp]> = [
      ['Object.new', [new Widget()], /Widget/],
      ['[Object.new]', [[new Widget()]], /Widget/],
      ['[1, [Object.new]]', [1, [new Widget()]], /Widget/],
      ['{ 1 => 2 } (a JS object key is always a string: the equivalent is a Map)', [new Map([[1, 2]])], /Map/],
      ['{ a: [{ 2 => 3 }] }', [{ a: [new Map([[2, 3]])] }], /Map/],
      ...['_aj_globalid', '_aj_symbol_keys', '_aj_hash_with_indifferent_access', '_aj_serialized', '_aj_ruby2_keywords'].map(
        (key) => [`a hash with reserved key ${key}`, [{ [key]: 1 }], new RegExp(key)] as [string, unknown[], RegExp],
      ),
      ['Person.new(nil): a record without an id', [unsaved], /not saved/],
    ];
    for (const [what, args, message] of inputs) {
      const attempt = WireCaseJob.set({ queue: refused }).performLater('refused', ...args);
      await expect(attempt, what).rejects.toBeInstanceOf(SerializationError);
      await expect(WireCaseJob.set({ queue: refused }).performLater('refused', ...args), what).rejects.toThrow(message);
    }
    expect(await broker.messageCountIfAny(refused)).toBe(0);
  });
});
