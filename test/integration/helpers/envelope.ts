import { randomUUID } from 'node:crypto';
import type { Envelope } from '../../../src/envelope/envelope.js';

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
