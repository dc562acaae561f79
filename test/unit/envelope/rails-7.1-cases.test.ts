// The cases Rails 7.1's argument_serialization_test.rb adds for the 7.1 format (ranges, a
// functional duration), as Active Job 7.1 writes them (RangeSerializer: begin, end and
// exclude_end, each end an argument itself; DurationSerializer: value and parts). No Rails 7.1
// runs here (Debian has 6.1): these are the wire forms from the Rails 7.1 source, read back
// into JS and written again byte for byte.
import { describe, expect, it } from 'vitest';
import { readArguments } from '../../../src/envelope/arguments.js';
import { CalendarDate, Duration, jsonCodec, RubyRange, RubyTime, serializeArguments, ZonedTime } from '../../../src/index.js';
import { envelopeOf } from '../../support/envelope.js';

const S = 'ActiveJob::Serializers::';
const range = (begin: unknown, end: unknown, excludeEnd: boolean) => ({ _aj_serialized: `${S}RangeSerializer`, begin, end, exclude_end: excludeEnd });
const time = (value: string) => ({ _aj_serialized: `${S}TimeSerializer`, value });
const date = (value: string) => ({ _aj_serialized: `${S}DateSerializer`, value });
const zoned = (value: string) => ({ _aj_serialized: `${S}TimeWithZoneSerializer`, value, time_zone: 'UTC' });

// [Rails 7.1 test value, wire form Active Job 7.1 writes, what perform gets]
const CASES: Array<[string, unknown, unknown]> = [
  ['1..', range(1, null, false), new RubyRange(1, null, false)],
  ['1..5', range(1, 5, false), new RubyRange(1, 5, false)],
  ['1...5', range(1, 5, true), new RubyRange(1, 5, true)],
  ['1...', range(1, null, true), new RubyRange(1, null, true)],
  ['"a".."z"', range('a', 'z', false), new RubyRange('a', 'z', false)],
  ['..5 (beginless)', range(null, 5, false), new RubyRange(null, 5, false)],
  ['Date.new(2001, 2, 3)..', range(date('2001-02-03'), null, false), new RubyRange(new CalendarDate(2001, 2, 3), null, false)],
  [
    'Time.new(2002, 10, 31, 2, 2, 2.123456789r, "+02:00")..',
    range(time('2002-10-31T02:02:02.123456789+02:00'), null, false),
    new RubyRange(new RubyTime('2002-10-31T02:02:02.123456789+02:00'), null, false),
  ],
  [
    'TimeWithZone range (UTC)',
    range(zoned('1999-12-31T23:59:59.123456789Z'), zoned('2000-01-01T00:00:00.000000000Z'), false),
    new RubyRange(new ZonedTime('1999-12-31T23:59:59.123456789Z', 'UTC'), new ZonedTime('2000-01-01T00:00:00.000000000Z', 'UTC'), false),
  ],
  [
    '1.year (a functional duration)',
    { _aj_serialized: `${S}DurationSerializer`, value: 31_556_952, parts: [[{ _aj_serialized: `${S}SymbolSerializer`, value: 'years' }, 1]] },
    new Duration(31_556_952, { years: 1 }),
  ],
];

describe("Rails 7.1's added argument cases, in the 7.1 format", () => {
  it.each(CASES)('%s: read as Active Job 7.1 writes it, and written back the same', async (_label, wire, value) => {
    const body = Buffer.from(JSON.stringify(envelopeOf('ReportJob', [wire as never])));
    const [read] = await readArguments(jsonCodec.decode(body).arguments);
    expect(read).toEqual(value);
    expect(serializeArguments([read])).toEqual([wire]);
  });
});
