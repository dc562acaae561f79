import { describe, expect, it } from 'vitest';
import { daysInMonth, isoTimeEpochMs, parseIsoTime } from '../../../src/envelope/values/iso-time.js';
import { fromEnvelopeTime } from '../../../src/envelope/timestamps.js';

// The grammar as a regular expression (the reader before it was hand-written): the hand-written
// scanner must accept exactly what this accepts and read the same instant from it.
const REFERENCE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,30}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

function reference(text: string): { epochMs: number; nanoseconds: number; offsetMinutes: number } | undefined {
  const match = REFERENCE.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zulu, sign, offH = '00', offM = '00'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || Number(offH) > 23 || Number(offM) > 59) return undefined;
  const nanoseconds = Number(fraction.slice(0, 9).padEnd(9, '0'));
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM));
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, Math.floor(nanoseconds / 1e6));
  return { epochMs: wall.getTime() - offsetMinutes * 60_000, nanoseconds, offsetMinutes };
}

const SEEDS = [
  '2024-05-01T12:00:00.123456789Z',
  '2024-05-01t12:00:00z',
  '2024-02-29T23:59:60+05:30',
  '0001-01-01T00:00:00.1-0800',
  '0099-12-31T23:59:59.123456789012345678901234567890+14',
  '2023-02-29T00:00:00Z',
  '9999-12-31T23:59:59.999-23:59',
];
const ALPHABET = '0123456789-:.TtZz+ x';

/** A deterministic pseudo-random sequence (the test must not flake). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function mutate(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const char = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
  switch (Math.floor(random() * 3)) {
    case 0:
      return text.slice(0, at) + char + text.slice(at + 1); // replace
    case 1:
      return text.slice(0, at) + char + text.slice(at); // insert
    default:
      return text.slice(0, at) + text.slice(at + 1); // delete
  }
}

describe('the ISO 8601 scanner', () => {
  it('agrees with the regular-expression grammar on 20,000 mutated times', () => {
    const random = lcg(7);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = SEEDS[i % SEEDS.length]!;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) text = mutate(text, random);
      const expected = reference(text);
      expect(parseIsoTime(text), text).toEqual(expected);
      expect(isoTimeEpochMs(text), text).toBe(expected ? expected.epochMs : NaN);
      if (expected) accepted += 1;
    }
    // Enough of both kinds for the comparison to mean something.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(19_500);
  });

  it.each(SEEDS)('reads %s as the regular expression does', (text) => {
    expect(parseIsoTime(text)).toEqual(reference(text));
  });

  it('gives a job the envelope time it validated, without Date.parse', () => {
    expect(fromEnvelopeTime('2024-05-01T12:00:00.123456789+02:00')?.toISOString()).toBe('2024-05-01T10:00:00.123Z');
    expect(fromEnvelopeTime('0050-06-01T00:00:00Z')?.getUTCFullYear()).toBe(50);
    // Forms the envelope reader refuses are still read the way they always were (Date.parse).
    expect(fromEnvelopeTime('2024-05-01T24:00:00Z')?.toISOString()).toBe('2024-05-02T00:00:00.000Z');
    expect(fromEnvelopeTime(1_714_564_800)?.toISOString()).toBe('2024-05-01T12:00:00.000Z');
    expect(fromEnvelopeTime('not a time')).toBeUndefined();
  });
});
