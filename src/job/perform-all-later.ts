import type { BulkItem, BulkOutcome, QueueAdapter } from '../adapters/adapter.js';
import { settings } from '../config/configuration.js';
import { EnqueueError } from '../errors.js';
import type { Job } from './job.js';
import type { JobClassSettings } from './job-class.js';
import { jobNameOf } from './job-class.js';
import { adapterFor, toEnqueueError, prepareEnvelope } from './enqueuing.js';

interface Pending {
  job: Job;
  item: BulkItem;
}

/**
 * Active Job's `perform_all_later`: enqueue many jobs (of any classes) with one
 * `enqueueAll` call per adapter. Enqueue callbacks do not run. Each job's
 * `successfullyEnqueued` (and `enqueueError`, an EnqueueError) tells its outcome; an
 * adapter whose bulk call rejects as a whole fails all of its jobs. Resolves with the
 * number of jobs enqueued.
 *
 * Every envelope is built before any adapter is called, so a SerializationError or a
 * missing adapter (ConfigurationError) throws with nothing enqueued.
 */
export async function performAllLater(jobs: readonly Job[]): Promise<number> {
  const groups = new Map<QueueAdapter, Pending[]>();
  for (const job of jobs) {
    job.successfullyEnqueued = false;
    job.enqueueError = undefined;
    const adapter = adapterFor(job);
    const envelope = prepareEnvelope(job);
    const item: BulkItem = job.scheduledAt ? { envelope, scheduledAt: job.scheduledAt.getTime() } : { envelope };
    const group = groups.get(adapter) ?? [];
    group.push({ job, item });
    groups.set(adapter, group);
  }

  let enqueued = 0;
  for (const [adapter, pending] of groups) {
    const outcomes = await enqueueAll(adapter, pending);
    pending.forEach(({ job }, index) => {
      const outcome = outcomes[index] ?? { ok: false, error: new EnqueueError(`the ${adapter.name} adapter returned no outcome`) };
      if (outcome.ok) {
        job.successfullyEnqueued = true;
        if (outcome.providerJobId !== undefined) job.providerJobId = outcome.providerJobId;
        enqueued += 1;
      } else {
        job.enqueueError = toEnqueueError(outcome.error, job, adapter);
      }
    });
    logBulk(adapter, pending);
  }
  return enqueued;
}

async function enqueueAll(adapter: QueueAdapter, pending: Pending[]): Promise<BulkOutcome[]> {
  try {
    return await adapter.enqueueAll(pending.map((p) => p.item));
  } catch (error) {
    const failure = error instanceof Error ? error : new EnqueueError(String(error));
    return pending.map(() => ({ ok: false, error: failure }));
  }
}

/** One line per adapter, as Rails' "Enqueued 3 jobs to Async (3 GuestsCleanupJob)". */
function logBulk(adapter: QueueAdapter, pending: Pending[]): void {
  const byClass: Record<string, number> = {};
  let ok = 0;
  for (const { job } of pending) {
    if (!job.successfullyEnqueued) continue;
    ok += 1;
    const name = jobNameOf(job.constructor as JobClassSettings);
    byClass[name] = (byClass[name] ?? 0) + 1;
  }
  const fields = { event: 'enqueued_all', adapter: adapter.name, enqueued: ok, failed: pending.length - ok, job_classes: byClass };
  if (ok === pending.length) settings().logger.info(fields, `enqueued ${ok} jobs`);
  else settings().logger.warn(fields, `enqueued ${ok} of ${pending.length} jobs`);
}
