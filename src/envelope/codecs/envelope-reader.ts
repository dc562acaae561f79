import { settings } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { EnvelopeError } from '../../errors.js';
import { ENVELOPE_VERSION, type Envelope, type JsonValue, type WireContinuation } from '../envelope.js';
import { isPrototypePath } from '../reserved-keys.js';
import { isoTimeEpochMs } from '../values/iso-time.js';
import { RubyFloat } from '../values/ruby-float.js';
import { MAX_WIRE_NESTING } from './limits.js';

/**
 * Validates a decoded envelope and fills what Rails leaves out. Hand-written rather
 * than an ajv-compiled schema: it runs on every delivery, returns a normalized
 * Envelope in one pass, gives short reasons fit for a dead-letter header, and
 * handles bigint (from lossless JSON) and protobuf's defaults. envelope.schema.json
 * describes the same rules; a test checks the two agree.
 *
 * Required: job_class, job_id, queue_name (non-empty strings), arguments (array),
 * enqueued_at (ISO 8601). Defaults for the rest: provider_job_id null, priority null,
 * executions 0, exception_executions {}, locale and timezone from settings() (also
 * when Rails 6.1 writes timezone null), scheduled_at null, envelope_version 1.
 * A continuable job's `continuation` and `resumptions` (Rails 8.1) are kept only when
 * present and not null: a plain envelope comes out without those keys.
 * Unknown keys are ignored, as Rails ignores them.
 */
/**
 * `enqueuedAtWrittenByWarren`: enqueued_at was just formatted from `new Date()` and is not parsed
 * back (scheduled_at, which comes from the caller's `waitUntil`, always is).
 */
export function readEnvelope(raw: unknown, options: { enqueuedAtWrittenByWarren?: boolean } = {}): Envelope {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new EnvelopeError('envelope must be an object');
  const data = raw as Record<string, unknown>;
  const version = data.envelope_version ?? 1;
  if (typeof version === 'bigint') throw new EnvelopeError(`unsupported envelope version ${version}`);
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new EnvelopeError('envelope_version must be an integer');
  if (version !== ENVELOPE_VERSION) throw new EnvelopeError(`unsupported envelope version ${version}`);

  const defaults = settings();
  const envelope: Envelope = {
    job_class: requiredString(data, 'job_class'),
    job_id: requiredString(data, 'job_id'),
    provider_job_id: providerJobId(data.provider_job_id),
    queue_name: requiredString(data, 'queue_name'),
    priority: priority(data.priority),
    arguments: argumentList(data.arguments),
    executions: count(data.executions ?? 0, 'executions'),
    exception_executions: exceptionExecutions(data.exception_executions),
    locale: optionalString(data, 'locale') ?? defaults.defaultLocale,
    timezone: optionalString(data, 'timezone') ?? defaults.defaultTimezone,
    enqueued_at: time(data.enqueued_at, 'enqueued_at', true, options.enqueuedAtWrittenByWarren) as string,
    scheduled_at: time(data.scheduled_at, 'scheduled_at', false),
    envelope_version: version,
  };
  // Added after the others, and only when present, so plain envelopes keep their keys and bytes.
  if (data.continuation !== undefined && data.continuation !== null) envelope.continuation = continuation(data.continuation);
  if (data.resumptions !== undefined && data.resumptions !== null) envelope.resumptions = count(data.resumptions, 'resumptions');
  return envelope;
}

/**
 * Names and ids travel in AMQP short strings (the `type` property, queue names: 255 bytes at
 * most), and they reach log lines: a longer one is refused here, so no log line carries a
 * 200,000-character job_class.
 */
function bounded(value: string, field: string): string {
  if (value.length > DEFAULTS.maxEnvelopeNameChars) {
    throw new EnvelopeError(
      `${field} is ${value.length} characters long, above the limit of ${DEFAULTS.maxEnvelopeNameChars} (it starts ${JSON.stringify(value.slice(0, 40))})`,
    );
  }
  return value;
}

function requiredString(data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (value === undefined || value === null) throw new EnvelopeError(`missing field ${field}`);
  if (typeof value !== 'string' || value.length === 0) throw new EnvelopeError(`${field} must be a non-empty string`);
  return bounded(value, field);
}

function optionalString(data: Record<string, unknown>, field: string): string | undefined {
  const value = data[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new EnvelopeError(`${field} must be a string`);
  return bounded(value, field);
}

/** Rails adapters may set an integer id; warren keeps it as text. */
function providerJobId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return bounded(value, 'provider_job_id');
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new EnvelopeError('provider_job_id must be a string or null');
}

function priority(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new EnvelopeError('priority must be an integer or null');
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EnvelopeError(`${field} must be a non-negative integer`);
  }
  return value;
}

function argumentList(value: unknown): JsonValue[] {
  if (value === undefined || value === null) throw new EnvelopeError('missing field arguments');
  if (!Array.isArray(value)) throw new EnvelopeError('arguments must be an array');
  return value as JsonValue[];
}

function exceptionExecutions(value: unknown): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new EnvelopeError('exception_executions must be an object');
  const result: Record<string, number> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '__proto__') throw new EnvelopeError('exception_executions has the key "__proto__"');
    result[key] = count(item, 'exception_executions values');
  }
  return result;
}

/** `writtenByWarren`: formatted from a Date by toRailsTimestamp, so not parsed back to check it. */
function time(value: unknown, field: string, required: boolean, writtenByWarren = false): string | null {
  if (value === undefined || value === null) {
    if (required) throw new EnvelopeError(`missing field ${field}`);
    return null;
  }
  if (typeof value !== 'string' || !(writtenByWarren || !Number.isNaN(isoTimeEpochMs(value)))) {
    throw new EnvelopeError(`${field} must be an ISO 8601 time with an offset`);
  }
  return value;
}

/** An own property only: a `__proto__` key in the JSON is data, never the prototype's. */
function own(data: object, key: string): unknown {
  return Object.hasOwn(data, key) ? (data as Record<string, unknown>)[key] : undefined;
}

/**
 * Rails 8.1's `Continuation#to_h`: `completed` (step names, in order; absent = []) and `current`
 * (`[name, cursor]`, absent when no step is in progress). Other keys are dropped.
 */
function continuation(value: unknown): WireContinuation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EnvelopeError('continuation must be an object');
  const rawCompleted = own(value, 'completed');
  const completed: string[] = [];
  if (rawCompleted !== undefined && rawCompleted !== null) {
    if (!Array.isArray(rawCompleted)) throw new EnvelopeError('continuation.completed must be an array of step names');
    const seen = new Set<string>();
    for (const name of rawCompleted) {
      if (typeof name !== 'string' || name.length === 0) throw new EnvelopeError('continuation.completed must be an array of step names');
      bounded(name, 'continuation.completed step name');
      if (seen.has(name)) throw new EnvelopeError(`continuation.completed lists the step ${JSON.stringify(name.slice(0, 40))} twice`);
      seen.add(name);
      completed.push(name);
    }
  }
  const rawCurrent = own(value, 'current');
  if (rawCurrent === undefined || rawCurrent === null) return { completed };
  if (!Array.isArray(rawCurrent) || rawCurrent.length !== 2) throw new EnvelopeError('continuation.current must be [step name, cursor]');
  const [name, cursor] = rawCurrent as [unknown, unknown];
  if (typeof name !== 'string' || name.length === 0) throw new EnvelopeError('continuation.current must be [step name, cursor]');
  bounded(name, 'continuation.current step name');
  if (completed.includes(name)) {
    throw new EnvelopeError(`continuation.current names the step ${JSON.stringify(name.slice(0, 40))}, which is already completed`);
  }
  checkCursor(cursor, 0, undefined);
  return { completed, current: [name, cursor as JsonValue] };
}

/**
 * A cursor is any JSON value (Rails writes the Ruby value as is), held to the bounds arguments are
 * held to: nesting (MAX_WIRE_NESTING), keys that reach prototypes, finite numbers, plain objects.
 */
function checkCursor(value: unknown, depth: number, parentKey: string | undefined): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EnvelopeError('continuation.current cursor holds a number that is not finite');
    return;
  }
  if (value instanceof RubyFloat) return;
  if (typeof value !== 'object') throw new EnvelopeError(`continuation.current cursor holds a value that is not JSON (${typeof value})`);
  if (depth >= MAX_WIRE_NESTING) throw new EnvelopeError(`continuation.current cursor nests deeper than ${MAX_WIRE_NESTING} levels`);
  if (Array.isArray(value)) {
    for (const item of value) checkCursor(item, depth + 1, undefined);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new EnvelopeError('continuation.current cursor holds an object that is not plain JSON');
  for (const key of Object.keys(value)) {
    if (isPrototypePath(parentKey, key)) {
      throw new EnvelopeError(`continuation.current cursor has the key "${key}", which could reach an object prototype`);
    }
    checkCursor((value as Record<string, unknown>)[key], depth + 1, key);
  }
}
