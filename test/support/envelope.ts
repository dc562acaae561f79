import { randomUUID } from 'node:crypto';
import type { Envelope, JsonValue } from '../../src/envelope/envelope.js';

/** A valid envelope for `queue`, for tests that publish without a job class. */
export function envelopeFor(queue: string, overrides: Partial<Envelope> = {}): Envelope {
  return {
    job_class: 'RecordJob',
    job_id: randomUUID(),
    provider_job_id: null,
    queue_name: queue,
    priority: null,
    arguments: ['x'],
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: new Date().toISOString(),
    scheduled_at: null,
    envelope_version: 1,
    ...overrides,
  };
}

/** A minimal valid envelope for `jobClass`. */
export function envelopeOf(jobClass: string, args: Envelope['arguments'] = [], overrides: Partial<Envelope> = {}): Envelope {
  return {
    job_class: jobClass,
    job_id: '6f1f8d1e-64a0-4f8a-9d55-0c0b3c1e2f3a',
    provider_job_id: null,
    queue_name: 'default',
    priority: null,
    arguments: args,
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: '2024-05-01T12:00:00.123000000Z',
    scheduled_at: null,
    envelope_version: 1,
    ...overrides,
  };
}

/** A valid ReportJob envelope with `args` (already serialized). */
export function envelopeWith(args: JsonValue[], overrides: Partial<Envelope> = {}): Envelope {
  return {
    job_class: 'ReportJob',
    job_id: '0b7c6a3e-1c1f-4b43-9f55-9f6f5d3b1e2a',
    provider_job_id: null,
    queue_name: 'default',
    priority: null,
    arguments: args,
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
