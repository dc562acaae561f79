// STUB: the job-layer helper owns and replaces this file; keep these signatures.
import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import type { Envelope } from '../envelope/envelope.js';
import type { JobRegistry } from './registry.js';

export interface ExecuteOptions {
  /** Aborted on worker shutdown or job timeout; handed to perform through the job's context. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Where retries are enqueued; default: the job class's adapter (or the global default). */
  adapter?: QueueAdapter;
}

export type ExecutionOutcome = 'performed' | 'retried' | 'discarded' | 'skipped';

export interface ExecutionResult {
  outcome: ExecutionOutcome;
  durationMs: number;
}

/**
 * Perform one envelope: registry lookup, argument deserialization, locale/timezone
 * restored, perform callbacks, perform, and the job's rescue/retry/discard rules.
 * Resolves when the job is done with: performed, retried (the retry is already
 * durably enqueued), discarded, or skipped (an around callback did not yield).
 * Rejects with UnknownJobError, DeserializationError (when not rescued), or the
 * job's own error when no rule handles it or retries are exhausted.
 */
export async function executeEnvelope(
  _envelope: Envelope,
  _registry: JobRegistry,
  _options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  throw new Error('not implemented');
}
