/**
 * The envelope is warren's wire contract: one job, serialized. Its keys are Active
 * Job's own (`ActiveJob::Base#serialize`), so a Rails reader can deserialize what
 * warren writes and warren reads what Rails writes. warren adds only
 * `envelope_version`, which Rails ignores. See schemas/README.md.
 */

/** A JSON value as it travels on the wire (Active Job argument format). */
export type JsonValue = null | boolean | number | string | bigint | JsonValue[] | { [key: string]: JsonValue };
// bigint: an integer outside the safe range, written as a bare JSON integer (Ruby reads it as Integer).

/** The envelope format version this build writes; readers reject versions they do not know. */
export const ENVELOPE_VERSION = 1;

export interface Envelope {
  /** The job class name or handler name the worker looks up in its registry. */
  job_class: string;
  /** UUID v4 chosen at enqueue; also the AMQP messageId. */
  job_id: string;
  /** Id given by the adapter (for example the broker's), when it gives one. */
  provider_job_id: string | null;
  queue_name: string;
  /** Active Job convention: lower is more important. null = none. */
  priority: number | null;
  /** Serialized arguments in Active Job's format (`_aj_globalid`, `_aj_serialized`, ...). */
  arguments: JsonValue[];
  /** How many times perform has started for this job before this delivery. */
  executions: number;
  /** Per retry/discard rule: how many times that rule's errors were raised. */
  exception_executions: Record<string, number>;
  locale: string;
  timezone: string;
  /** ISO 8601 with nanosecond digits, UTC, as Rails 7.1 writes it. */
  enqueued_at: string;
  /** ISO 8601 UTC, or null when the job was not delayed. */
  scheduled_at: string | null;
  /** warren's envelope format version; Rails writes none (read as 1). */
  envelope_version: number;
  /**
   * A continuable job's progress (Rails 8.1 `ActiveJob::Continuable`, key `continuation`):
   * present only when the job has steps; absent on every other envelope.
   */
  continuation?: WireContinuation;
  /** How many times a continuable job was resumed (Rails 8.1 key `resumptions`); absent on plain jobs. */
  resumptions?: number;
}

/**
 * Rails 8.1's `Continuation#to_h`: the names of the completed steps, in order, and the step in
 * progress as `[name, cursor]` (absent when none is). The cursor is a plain JSON value (Rails
 * writes the Ruby value as is: an Integer, a String, an Array of them).
 */
export interface WireContinuation {
  completed: string[];
  current?: [string, JsonValue];
}

/** Content types that choose the codec of a message body. */
export const CONTENT_TYPES = Object.freeze({
  json: 'application/json',
  protobuf: 'application/x-protobuf',
});

export type EnvelopeEncoding = keyof typeof CONTENT_TYPES;

/** Encodes and decodes envelopes to bytes; one per content type. */
export interface EnvelopeCodec {
  readonly contentType: string;
  encode(envelope: Envelope): Buffer;
  /** Throws EnvelopeError (with a reason fit for a dead-letter header) on anything malformed. */
  decode(body: Buffer): Envelope;
}
