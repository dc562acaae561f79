// Ruby's Integer/Float distinction lives in the JSON text (1 vs 1.0); a JS number loses it.
// A Rails job must keep its arguments' Ruby types byte for byte through a warren retry.
import { describe, expect, it } from 'vitest';
import { readArguments } from '../../../src/envelope/arguments.js';
import { Job, jsonCodec, protobufCodec, RubyFloat, RubyModule, RubyTime, serializeArguments } from '../../../src/index.js';
import { prepareEnvelope } from '../../../src/job/enqueuing.js';
import { jobFromEnvelope } from '../../../src/job/serialization.js';
import { envelopeOf } from '../../support/envelope.js';

class FloatsJob extends Job {
  static override jobName = 'FloatsJob';
  async perform(..._args: unknown[]): Promise<void> {}
}

/** Arguments as Active Job writes them: Floats 1.0, 2.0, -0.0, 1.5e1 (15.0), an Integer, a Float, a hash, a big Integer. */
const RAILS_ARGUMENTS = '[1.0,2.0,-0.0,1.5e1,3,2.5,{"ratio":1.0,"name":"v1.0","_aj_symbol_keys":[]},12345678901234567890,[0.0,1E2]]';

function railsBody(): Buffer {
  const text = JSON.stringify(envelopeOf('FloatsJob', [], { enqueued_at: '2026-11-22T10:00:00.000000000Z' }));
  return Buffer.from(text.replace('"arguments":[]', `"arguments":${RAILS_ARGUMENTS}`));
}

function argumentsText(body: Buffer): string {
  const text = body.toString();
  const start = text.indexOf('"arguments":') + '"arguments":'.length;
  const end = text.indexOf(',"executions"', start);
  return text.slice(start, end);
}

describe('whole-number Floats (Ruby 1.0)', () => {
  it('perform receives plain numbers', async () => {
    const envelope = jsonCodec.decode(railsBody());
    const values = await readArguments(envelope.arguments);
    expect(values.slice(0, 6)).toEqual([1, 2, -0, 15, 3, 2.5]);
    expect(Object.is(values[2], -0)).toBe(true);
    expect(values[6]).toEqual({ ratio: 1, name: 'v1.0' });
    expect(values[7]).toBe(12345678901234567890n);
    expect(values[8]).toEqual([0, 100]);
  });

  it('a retry writes the arguments back byte for byte (1.0 stays a Float for Rails)', () => {
    const job = jobFromEnvelope(FloatsJob, jsonCodec.decode(railsBody()));
    job.executions += 1;
    const retried = jsonCodec.encode(prepareEnvelope(job));
    expect(argumentsText(retried)).toBe(RAILS_ARGUMENTS);
    // And once more, from the retried body.
    const again = jsonCodec.encode(prepareEnvelope(jobFromEnvelope(FloatsJob, jsonCodec.decode(retried))));
    expect(argumentsText(again)).toBe(RAILS_ARGUMENTS);
  });

  it('only numbers inside the arguments are kept as Floats; strings and envelope fields are untouched', () => {
    const text = railsBody().toString().replace('"priority":null', '"priority":1.0');
    const envelope = jsonCodec.decode(Buffer.from(text));
    expect(envelope.priority).toBe(1);
    expect(envelope.enqueued_at).toBe('2026-11-22T10:00:00.000000000Z');
    expect((envelope.arguments[6] as Record<string, unknown>).name).toBe('v1.0');
  });

  it('warren writes JS -0 as -0.0, a RubyFloat as a Float, whole JS numbers as Integers', () => {
    const body = jsonCodec.encode(envelopeOf('ReportJob', serializeArguments([new RubyFloat(2), -0, 1, 1.5, { x: new RubyFloat(0) }, new RubyFloat(1e21)])));
    expect(argumentsText(body)).toBe('[2.0,-0.0,1,1.5,{"x":0.0,"_aj_symbol_keys":[]},1e+21]');
  });

  it('protobuf keeps a whole-number Float as a double both ways, and JSON then writes it 1.0', async () => {
    const decoded = protobufCodec.decode(protobufCodec.encode(jsonCodec.decode(railsBody())));
    expect(decoded.arguments[0]).toBeInstanceOf(RubyFloat);
    expect(decoded.arguments[4]).toBe(3);
    expect(await readArguments(decoded.arguments.slice(0, 5))).toEqual([1, 2, -0, 15, 3]);
    expect(argumentsText(jsonCodec.encode(decoded)).startsWith('[1.0,2.0,-0.0,15.0,3,2.5,')).toBe(true);
  });

  it('a RubyFloat refuses what is not a finite number, and acts as its number', () => {
    expect(() => new RubyFloat(Number.NaN)).toThrow(RangeError);
    expect(() => new RubyFloat(Infinity)).toThrow(RangeError);
    expect(Number(new RubyFloat(3)) * 2).toBe(6);
    expect(JSON.stringify({ a: new RubyFloat(3) })).toBe('{"a":3}');
  });
});

describe('Ruby Time with microseconds and nanoseconds', () => {
  const timeArgument = (value: string) => ({ _aj_serialized: 'ActiveJob::Serializers::TimeSerializer', value });

  it('arrives as a RubyTime: a Date that keeps the text Ruby wrote and writes it back', async () => {
    for (const text of ['2026-11-22T10:00:00.123456000Z', '2026-11-22T10:00:00.123456789Z', '2026-11-22T11:00:00.123456+01:00']) {
      const [time] = (await readArguments([timeArgument(text)])) as [RubyTime];
      expect(time).toBeInstanceOf(Date);
      expect(time).toBeInstanceOf(RubyTime);
      expect(time.toISOString()).toBe('2026-11-22T10:00:00.123Z');
      expect(time.iso).toBe(text);
      expect(time.nanoseconds % 1_000_000).toBeGreaterThan(0);
      expect(time.toDate()).toEqual(new Date('2026-11-22T10:00:00.123Z'));
      expect(serializeArguments([time])).toEqual([timeArgument(text)]);
    }
  });

  it('a RubyTime changed with a Date setter is written as its new instant', async () => {
    const [time] = (await readArguments([timeArgument('2026-11-22T10:00:00.123456789Z')])) as [RubyTime];
    time.setUTCHours(11);
    expect(serializeArguments([time])).toEqual([timeArgument('2026-11-22T11:00:00.123000000Z')]);
    expect(serializeArguments([new Date('2026-11-22T10:00:00.5Z')])).toEqual([timeArgument('2026-11-22T10:00:00.500000000Z')]);
  });

  it('a retry re-sends the received text (microseconds kept)', () => {
    const text = JSON.stringify(envelopeOf('FloatsJob', [timeArgument('2026-11-22T10:00:00.123456000Z')]));
    const job = jobFromEnvelope(FloatsJob, jsonCodec.decode(Buffer.from(text)));
    expect(argumentsText(jsonCodec.encode(prepareEnvelope(job)))).toContain('"2026-11-22T10:00:00.123456000Z"');
  });
});

describe('Class and Module arguments (Rails ModuleSerializer)', () => {
  const wire = (value: string) => ({ _aj_serialized: 'ActiveJob::Serializers::ModuleSerializer', value });

  it('arrive as a RubyModule naming the constant, and are written back the same', async () => {
    const [module] = (await readArguments([wire('Billing::Invoice')])) as [RubyModule];
    expect(module).toEqual(new RubyModule('Billing::Invoice'));
    expect(module.name).toBe('Billing::Invoice');
    expect(serializeArguments([module])).toEqual([wire('Billing::Invoice')]);
  });

  it('refuses a name that is not a Ruby constant path', async () => {
    for (const name of ['', 'lowercase', 'Foo::', 'Foo bar', 'Foo;system', 'X'.repeat(1_001)]) {
      expect(() => new RubyModule(name)).toThrow(RangeError);
      await expect(Promise.resolve().then(() => readArguments([wire(name)]))).rejects.toThrow();
    }
  });
});

describe('argument JSON survives a retry byte for byte, whatever numbers and strings it holds (generated cases)', () => {
  // A small deterministic generator (no dependency): the same cases on every run.
  let state = 20_261_206;
  const next = (n: number): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  // Not "-0": no Ruby writes it (Integer 0 is "0"); warren reads it as 0 and writes it "0", the same Integer.
  const NUMBERS = [
    '0',
    '1',
    '-17',
    '1.0',
    '-0.0',
    '0.0',
    '2.50',
    '1.5e1',
    '1E2',
    '-3e-2',
    '12345678901234567890',
    '1.0e0',
    '7.000',
    '9007199254740993',
    '0.1',
    '2.5',
    '1.0e+20',
    '1.5e-07',
    '3.141592653589793',
  ];
  const STRINGS = ['"1.0"', '"v2.0e3"', '"a\\\\"', '"x\\"1.0\\"y"', '"2026-11-22T10:00:00.000000000Z"', '""', '"é 1.0"'];
  const value = (depth: number): string => {
    const pick = next(depth > 3 ? 3 : 6);
    if (pick === 0) return NUMBERS[next(NUMBERS.length)]!;
    if (pick === 1) return STRINGS[next(STRINGS.length)]!;
    if (pick === 2) return ['true', 'false', 'null'][next(3)]!;
    if (pick === 3) return NUMBERS[next(NUMBERS.length)]!;
    if (pick === 4) return `[${Array.from({ length: next(4) }, () => value(depth + 1)).join(',')}]`;
    const keys = Array.from({ length: next(3) }, (_, index) => `"k${index}":${value(depth + 1)}`);
    return `{${[...keys, '"_aj_symbol_keys":[]'].join(',')}}`;
  };

  it('300 generated argument lists: decode, retry, encode gives the same argument text (every float kept as Ruby wrote it)', () => {
    for (let round = 0; round < 300; round += 1) {
      const args = `[${Array.from({ length: 1 + next(4) }, () => value(0)).join(',')}]`;
      const body = Buffer.from(
        JSON.stringify(envelopeOf('FloatsJob', [], { enqueued_at: '2026-11-22T10:00:00.000000000Z' })).replace('"arguments":[]', `"arguments":${args}`),
      );
      const job = jobFromEnvelope(FloatsJob, jsonCodec.decode(body));
      expect(argumentsText(jsonCodec.encode(prepareEnvelope(job))), args).toBe(args);
    }
  });
});
