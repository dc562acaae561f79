import { pino, type Logger } from 'pino';
import type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from '../../../src/adapters/adapter.js';
import type { Envelope } from '../../../src/envelope/envelope.js';

/** A pino logger whose lines land in `lines`, parsed. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) });
  return { logger, lines };
}

export interface RecordedCall {
  method: 'enqueue' | 'enqueueAt' | 'enqueueAll';
  envelopes: Envelope[];
  timestamp?: number;
  items?: readonly BulkItem[];
}

/** An adapter that records calls; `fail` makes the next calls reject (or fail per item). */
export class RecordingAdapter implements QueueAdapter {
  readonly supportsDelays = true;
  readonly calls: RecordedCall[] = [];
  fail: Error | undefined;
  providerJobId: string | undefined;
  constructor(readonly name = 'recording') {}

  get envelopes(): Envelope[] {
    return this.calls.flatMap((c) => c.envelopes);
  }

  async enqueue(envelope: Envelope): Promise<EnqueueReceipt> {
    this.calls.push({ method: 'enqueue', envelopes: [envelope] });
    if (this.fail) throw this.fail;
    return this.providerJobId === undefined ? {} : { providerJobId: this.providerJobId };
  }

  async enqueueAt(envelope: Envelope, timestamp: number): Promise<EnqueueReceipt> {
    this.calls.push({ method: 'enqueueAt', envelopes: [envelope], timestamp });
    if (this.fail) throw this.fail;
    return this.providerJobId === undefined ? {} : { providerJobId: this.providerJobId };
  }

  async enqueueAll(items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    this.calls.push({ method: 'enqueueAll', envelopes: items.map((i) => i.envelope), items });
    return items.map((item, index) =>
      this.fail && index % 2 === 1 ? { ok: false, error: this.fail } : { ok: true, providerJobId: `p-${item.envelope.job_id}` },
    );
  }

  async close(): Promise<void> {}
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
