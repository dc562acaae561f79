/**
 * The JSON of a job's log line, written by hand (see directLine in config/logger.ts): the same
 * text pino's serializer writes for these values, at a fraction of its cost per line.
 */

/** Quoted job class and queue names, which repeat from job to job (bounded: names come from envelopes). */
const quotedNames = new Map<string, string>();
const MAX_QUOTED_NAMES = 1_000;

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < MAX_QUOTED_NAMES) quotedNames.set(name, quoted);
  }
  return quoted;
}

export function identityJson(fields: { job_class: string; job_id: string; queue: string; executions: number }): string {
  return `,"job_class":${quotedName(fields.job_class)},"job_id":${JSON.stringify(fields.job_id)},"queue":${quotedName(fields.queue)},"executions":${jsonNumber(fields.executions)}`;
}

/**
 * A number as pino writes it (`String(value)`, non-finite as null), faster for the numbers log
 * lines carry: integers, and milliseconds rounded to 3 decimals (durations, see roundMs), which
 * are written from their integer microseconds: V8's shortest-decimal conversion of a double
 * cost more than the rest of the line (bench/profile.ts). Equal to String(value) for every such
 * value (a unit test compares them).
 */
export function jsonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value)) return String(value);
  const thousandths = Math.round(value * 1000);
  if (thousandths / 1000 !== value || Math.abs(thousandths) > MAX_THOUSANDTHS) return String(value);
  const magnitude = Math.abs(thousandths);
  const fraction = magnitude % 1000;
  const digits = fraction % 100 === 0 ? String(fraction / 100) : fraction % 10 === 0 ? FRACTION_2[fraction / 10]! : FRACTION_3[fraction]!;
  return `${thousandths < 0 ? '-' : ''}${(magnitude - fraction) / 1000}.${digits}`;
}

/** Below 2^31 the integer arithmetic above is exact and cheap. */
const MAX_THOUSANDTHS = 2 ** 31 - 1;
/** Fraction digits without trailing zeros: "01".."99" and "001".."999", made once. */
const FRACTION_2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const FRACTION_3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `fields` as `,"key":value` pairs, as pino writes them (undefined left out, a non-finite number
 * as null), when every value is a string, number, boolean, null or undefined; otherwise
 * undefined (errors, arguments: pino's serializers handle those).
 */
export function flatFieldsJson(fields: Record<string, unknown>): string | undefined {
  let json = '';
  for (const key in fields) {
    const value = fields[key];
    let text: string;
    switch (typeof value) {
      case 'undefined':
        continue;
      case 'string':
        text = JSON.stringify(value);
        break;
      case 'number':
        text = jsonNumber(value);
        break;
      case 'boolean':
        text = value ? 'true' : 'false';
        break;
      default:
        if (value !== null) return undefined;
        text = 'null';
    }
    json += `,${quotedName(key)}:${text}`;
  }
  return json;
}
