import { settings } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { EnvelopeError } from '../../errors.js';
import { ENVELOPE_VERSION, type Envelope, type JsonValue } from '../envelope.js';
import { isoTimeEpochMs } from '../values/iso-time.js';

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
  return {
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
