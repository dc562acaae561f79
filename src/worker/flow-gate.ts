import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { RatePermits } from '../amqp/rate-permits.js';
import { SlotLocks } from '../amqp/slot-locks.js';
import { DEFAULTS } from '../config/defaults.js';
import { deserializeArguments } from '../envelope/arguments.js';
import type { Envelope } from '../envelope/envelope.js';
import { concurrencyLimitOf, limitKeyOf, rateLimitOf, type ConcurrencyLimit, type RateLimit } from '../job/flow-limits.js';
import { jobNameOf } from '../job/job-class.js';
import type { JobRegistry } from '../job/registry.js';
import { redactError } from '../support/redact.js';
import { RetrySpread } from './retry-spread.js';

/** The limits of a class: a per-key concurrency limit, a per-key rate limit, or both. */
export interface FlowLimits {
  concurrency?: ConcurrencyLimit | undefined;
  rate?: RateLimit | undefined;
}

/** What the gate decided for one delivery of a limited class. */
export type GateDecision = { run: true; release: () => void } | { run: false; postponedBy: number };

/**
 * Per-key concurrency and rate limits (`static concurrency`, `static rateLimit`) at the worker's
 * door. Before a job of a limited class runs it takes a slot of its key (SlotLocks), then a permit
 * of its key's window (RatePermits). When either is refused, the job is published again for later
 * (a slot: DEFAULTS.flow.concurrencyRetryMs with jitter; a permit: at a random moment of the
 * window, at least DEFAULTS.flow.rateMinRetryMs away; both times the key's spread while it has a
 * backlog, src/worker/retry-spread.ts) and the delivery is acknowledged: the worker takes
 * other jobs meanwhile, and nothing spins. A class without limits costs one Map lookup per
 * delivery. A job whose key cannot be computed (its arguments do not read, its key function
 * throws) is let through: perform then fails or succeeds as it would.
 */
export class FlowGate {
  private readonly limits = new Map<string, FlowLimits | null>();
  private readonly spread = new RetrySpread();
  /** Jobs this process gave a late permit up for, and how many times: a lagging event loop must not starve a job. */
  private readonly lateGiveUps = new Map<string, number>();

  constructor(
    private readonly registry: JobRegistry,
    private readonly slots: SlotLocks,
    private readonly permits: RatePermits,
    private readonly adapter: QueueAdapter,
    private readonly logger: Logger,
  ) {}

  /** Whether any class of `registry` declares a limit (validating them all: ConfigurationError at start). */
  static needed(registry: JobRegistry): boolean {
    let any = false;
    for (const descriptor of registry.descriptors()) {
      const jobClass = registry.resolve(descriptor.name).jobClass;
      if (concurrencyLimitOf(jobClass, DEFAULTS.flow.maxConcurrencyLimit)) any = true;
      if (rateLimitOf(jobClass, DEFAULTS.flow.maxRateLimit)) any = true;
    }
    return any;
  }

  /** The limits of the envelope's class, or undefined (unknown classes and classes without any). */
  limitFor(envelope: Envelope): FlowLimits | undefined {
    let limits = this.limits.get(envelope.job_class);
    if (limits === undefined) {
      try {
        const jobClass = this.registry.resolve(envelope.job_class).jobClass;
        const concurrency = concurrencyLimitOf(jobClass, DEFAULTS.flow.maxConcurrencyLimit);
        const rate = rateLimitOf(jobClass, DEFAULTS.flow.maxRateLimit);
        limits = concurrency || rate ? { concurrency, rate } : null;
      } catch {
        limits = null; // unknown class: the normal path dead-letters it
      }
      this.limits.set(envelope.job_class, limits);
    }
    return limits ?? undefined;
  }

  /** Takes a slot and a permit for the job, or publishes it again for later. Rejects only when that publish failed (the delivery is then requeued). */
  async admit(envelope: Envelope, limits: FlowLimits): Promise<GateDecision> {
    let args: unknown[];
    try {
      args = await deserializeArguments(envelope.arguments);
    } catch (error) {
      return this.letThrough(envelope, error);
    }
    const jobName = jobNameOf(this.registry.resolve(envelope.job_class).jobClass);
    let release = (): void => {};
    if (limits.concurrency) {
      let key: string;
      try {
        key = limitKeyOf(limits.concurrency, args);
      } catch (error) {
        return this.letThrough(envelope, error);
      }
      const base = SlotLocks.slotBase(jobName, key);
      const slot = await this.slots.acquire(base, limits.concurrency.limit);
      const retryMs = DEFAULTS.flow.concurrencyRetryMs;
      const spread = this.spread.record(base, retryMs, slot !== undefined);
      if (!slot) return this.postpone(envelope, retryMs * spread * (1 + Math.random()), 'concurrency');
      release = slot;
    }
    if (limits.rate) {
      const { limit, per } = limits.rate;
      let key: string;
      try {
        key = limitKeyOf(limits.rate, args);
      } catch (error) {
        release();
        return this.letThrough(envelope, error);
      }
      const queue = RatePermits.queueName(jobName, key, limit, per);
      const permit = await this.permits.take(queue, limit, per).catch((error: unknown) => {
        release();
        throw error;
      });
      const spread = this.spread.record(queue, per, permit.granted);
      // A grant seen later than the permit's extra life allows would start the job after a later
      // permit's window opened: the job waits its turn again and the permit lapses unused.
      const lateByMs = performance.now() - permit.startBy;
      if (permit.granted && lateByMs > 0 && this.startsLateAnyway(envelope, lateByMs)) return { run: true, release };
      if (permit.granted && lateByMs <= 0 && this.lateGiveUps.size > 0) this.lateGiveUps.delete(envelope.job_id);
      if (!permit.granted || lateByMs > 0) {
        release();
        // Refused starts come back at random over the window (or several, with a backlog: the
        // key's spread): the one that arrives first after a permit expires takes it, and they do
        // not all come back at once.
        const shortest = Math.max(per / limit, DEFAULTS.flow.rateMinRetryMs);
        return this.postpone(
          envelope,
          shortest + Math.random() * Math.max(0, spread * per - shortest),
          permit.granted ? 'rate (its permit was seen too late)' : 'rate',
        );
      }
    }
    return { run: true, release };
  }

  /**
   * A job whose permits this process saw late DEFAULTS.flow.rateLateGiveUps times already starts
   * with the late one: a worker whose event loop is always behind (CPU-bound jobs beside it) would
   * otherwise never run it. That start may exceed the limit; it is logged.
   */
  private startsLateAnyway(envelope: Envelope, lateByMs: number): boolean {
    const given = this.lateGiveUps.get(envelope.job_id) ?? 0;
    if (given < DEFAULTS.flow.rateLateGiveUps) {
      if (this.lateGiveUps.size >= DEFAULTS.flow.retrySpreadKeys) this.lateGiveUps.clear();
      this.lateGiveUps.set(envelope.job_id, given + 1);
      return false;
    }
    this.lateGiveUps.delete(envelope.job_id);
    this.logger.warn(
      { job_class: envelope.job_class, job_id: envelope.job_id, late_ms: Math.round(lateByMs), given_up: given },
      "started late after its rate permit (this worker's event loop is behind): this start may exceed the limit",
    );
    return true;
  }

  private letThrough(envelope: Envelope, error: unknown): GateDecision {
    this.logger.warn(
      { job_class: envelope.job_class, job_id: envelope.job_id, err: redactError(error) },
      'no limit key for this job; it runs without its limits',
    );
    return { run: true, release: () => {} };
  }

  private async postpone(envelope: Envelope, waitMs: number, why: string): Promise<GateDecision> {
    const wait = Math.round(waitMs);
    await this.adapter.enqueueAt(envelope, Date.now() + wait);
    this.logger.debug(
      { job_class: envelope.job_class, job_id: envelope.job_id, limit: why, wait_ms: wait },
      `held back by its ${why} limit: published again for later`,
    );
    return { run: false, postponedBy: wait };
  }
}
