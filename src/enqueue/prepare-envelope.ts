import { settings } from '../config/configuration.js';
import { serializeArguments } from '../envelope/arguments.js';
import type { Envelope } from '../envelope/envelope.js';
import { markPrepared } from '../envelope/prepared.js';
import { currentLocale, currentTimezone } from '../job/context.js';
import { internalsOf } from '../job/internal-state.js';
import type { Job } from '../job/job.js';
import type { JobClassSettings } from '../job/job-class.js';
import { envelopeFor } from '../job/serialization.js';

/**
 * The envelope for enqueueing `job` now: captures the current locale and timezone and
 * the enqueue time onto the job (as Active Job's serialize does), and serializes the
 * arguments; a job that came from an envelope re-sends the arguments it received.
 * Throws SerializationError for an unsupported argument.
 */
export function prepareEnvelope(job: Job): Envelope {
  const state = internalsOf(job);
  const railsCompatibility = (job.constructor as JobClassSettings).railsCompatibility ?? settings().railsCompatibility;
  const serialized = state.receivedArguments ?? serializeArguments(job.arguments, { railsCompatibility });
  job.locale = currentLocale();
  job.timezone = currentTimezone();
  job.enqueuedAt = new Date();
  const envelope = envelopeFor(job, serialized);
  // Only freshly written arguments skip the codec's checks: received ones (a retry re-sends
  // them) were checked loosely on decode, and a non-finite number among them must be refused.
  return state.receivedArguments ? envelope : markPrepared(envelope);
}
