import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../src/index.js';

/** The job id of every envelope built here unless overridden (envelopeFor draws a fresh one). */
export const ENVELOPE_JOB_ID = '6f1f8d1e-64a0-4f8a-9d55-0c0b3c1e2f3a';

/** A whole valid envelope: fixed job id and enqueue time (nanosecond digits, as Rails 7.1 writes them), then `overrides`. */
function envelope(overrides: Partial<Envelope>): Envelope {
  return {
    job_class: 'RecordJob',
    job_id: ENVELOPE_JOB_ID,
    provider_job_id: null,
    queue_name: 'default',
    priority: null,
    arguments: [],
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: '2024-05-01T12:00:00.123456789Z',
    scheduled_at: null,
    envelope_version: 1,
    ...overrides,
  };
}

/**
 * A valid envelope for `jobClass` with `args` (already serialized), for tests that read,
 * run or encode one. Deterministic: the same call gives the same envelope.
 */
export function envelopeOf(jobClass: string, args: Envelope['arguments'] = [], overrides: Partial<Envelope> = {}): Envelope {
  return envelope({ job_class: jobClass, arguments: args, ...overrides });
}

/**
 * A valid envelope for `queue`, for tests that publish to a broker without a job class:
 * a RecordJob with the argument 'x', a fresh job id (the message id) and enqueued now.
 */
export function envelopeFor(queue: string, overrides: Partial<Envelope> = {}): Envelope {
  return envelope({ queue_name: queue, arguments: ['x'], job_id: randomUUID(), enqueued_at: new Date().toISOString(), ...overrides });
}
