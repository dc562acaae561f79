import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { SlotLocks } from '../amqp/slot-locks.js';
import { DEFAULTS } from '../config/defaults.js';
import { deserializeArguments } from '../envelope/arguments.js';
import type { Envelope } from '../envelope/envelope.js';
import { concurrencyKeyOf, concurrencyLimitOf, type ConcurrencyLimit } from '../job/concurrency-limit.js';
import { jobNameOf } from '../job/job-class.js';
import type { JobRegistry } from '../job/registry.js';
import { redactError } from '../support/redact.js';

/** What the gate decided for one delivery of a limited class. */
export type GateDecision = { run: true; release: () => void } | { run: false; postponedBy: number };

/**
 * Per-key concurrency limits (`static concurrency`) at the worker's door: before a job of a
 * limited class runs, it takes a slot of its key (SlotLocks); when every slot is taken, the job
 * is published again DEFAULTS.flow.concurrencyRetryMs later (with jitter) and the delivery is
 * acknowledged: the worker takes other jobs meanwhile, and nothing spins. A class without a limit
 * costs one Map lookup per delivery. A job whose key cannot be computed (its arguments do not
 * read, its key function throws) is let through: perform then fails or succeeds as it would.
 */
export class ConcurrencyGate {
  private readonly limits = new Map<string, ConcurrencyLimit | null>();

  constructor(
    private readonly registry: JobRegistry,
    private readonly slots: SlotLocks,
    private readonly adapter: QueueAdapter,
    private readonly logger: Logger,
  ) {}

  /** The limit of the envelope's class, or undefined (unknown classes and classes without one). */
  limitFor(envelope: Envelope): ConcurrencyLimit | undefined {
    let limit = this.limits.get(envelope.job_class);
    if (limit === undefined) {
      try {
        limit = concurrencyLimitOf(this.registry.resolve(envelope.job_class).jobClass, DEFAULTS.flow.maxConcurrencyLimit) ?? null;
      } catch {
        limit = null; // unknown class: the normal path dead-letters it
      }
      this.limits.set(envelope.job_class, limit);
    }
    return limit ?? undefined;
  }

  /** Takes a slot for the job, or publishes it again for later. Rejects only when that publish failed (the delivery is then requeued). */
  async admit(envelope: Envelope, limit: ConcurrencyLimit): Promise<GateDecision> {
    let key: string;
    try {
      key = concurrencyKeyOf(limit, await deserializeArguments(envelope.arguments));
    } catch (error) {
      this.logger.warn(
        { job_class: envelope.job_class, job_id: envelope.job_id, err: redactError(error) },
        'no concurrency key for this job; it runs without the limit',
      );
      return { run: true, release: () => {} };
    }
    const jobClass = this.registry.resolve(envelope.job_class).jobClass;
    const release = await this.slots.acquire(SlotLocks.slotBase(jobNameOf(jobClass), key), limit.limit);
    if (release) return { run: true, release };
    const wait = Math.round(DEFAULTS.flow.concurrencyRetryMs * (1 + Math.random()));
    await this.adapter.enqueueAt(envelope, Date.now() + wait);
    this.logger.debug(
      { job_class: envelope.job_class, job_id: envelope.job_id, key, limit: limit.limit, wait_ms: wait },
      'over its concurrency limit: published again for later',
    );
    return { run: false, postponedBy: wait };
  }
}
