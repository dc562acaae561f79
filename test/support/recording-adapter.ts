import type { BulkItem, BulkOutcome, EnqueueReceipt, Envelope, QueueAdapter } from '../../src/index.js';

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
