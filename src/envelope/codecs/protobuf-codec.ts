import { DEFAULTS } from '../../config/defaults.js';
import { EnvelopeError } from '../../errors.js';
import { CONTENT_TYPES, ENVELOPE_VERSION, type Envelope, type EnvelopeCodec, type JsonValue, type WireContinuation } from '../envelope.js';
import { RubyFloat } from '../values/ruby-float.js';
import { readEnvelope } from './envelope-reader.js';
import { checkSize, checkWireArguments, type CodecOptions } from './limits.js';
import { envelopeTypes } from './protobuf-schema.js';
import { fromValueMessage, toValueMessage, type ValueMessage } from './protobuf-values.js';

/** The decoded Envelope message as protobufjs gives it (fields are snake_case: keepCase). */
interface EnvelopeMessage {
  job_class: string;
  job_id: string;
  provider_job_id?: string;
  queue_name: string;
  priority?: number;
  arguments: ValueMessage[];
  executions: number;
  exception_executions: Record<string, number>;
  locale: string;
  timezone: string;
  enqueued_at: string;
  scheduled_at?: string;
  envelope_version: number;
  continuation?: ContinuationMessage;
  resumptions?: number;
}

interface ContinuationMessage {
  completed: string[];
  current?: { name: string; cursor?: ValueMessage | null };
}

const has = (message: object, field: string) => Object.hasOwn(message, field);

/**
 * The protobuf encoding (content type application/x-protobuf) of
 * schemas/warren/envelope/v1/envelope.proto. proto3 cannot tell an empty string from an
 * absent one, so empty required strings are "missing", empty locale/timezone take the
 * worker's defaults, and envelope_version 0 (unset) is read as 1.
 */
export function createProtobufCodec(options: CodecOptions = {}): EnvelopeCodec {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
  return {
    contentType: CONTENT_TYPES.protobuf,

    encode(envelope: Envelope): Buffer {
      const checked = readEnvelope(envelope);
      checkWireArguments(checked.arguments, true);
      const message = {
        ...checked,
        arguments: checked.arguments.map(toValueMessage),
        envelope_version: ENVELOPE_VERSION,
        ...(checked.continuation && { continuation: continuationMessage(checked.continuation) }),
      };
      const body = Buffer.from(envelopeTypes().envelope.encode(message).finish());
      checkSize(body.length, maxMessageBytes, 'encoded');
      return body;
    },

    decode(body: Buffer): Envelope {
      checkSize(body.length, maxMessageBytes, 'received');
      let message: EnvelopeMessage;
      try {
        // A plain Uint8Array view, not the Buffer: protobufjs's Buffer reader silently
        // truncates a string that runs past the end of a truncated body.
        const bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
        message = envelopeTypes().envelope.decode(bytes) as unknown as EnvelopeMessage;
      } catch (error) {
        throw new EnvelopeError(`body is not a protobuf envelope: ${(error as Error).message}`);
      }
      return readEnvelope({
        job_class: message.job_class || undefined,
        job_id: message.job_id || undefined,
        provider_job_id: has(message, 'provider_job_id') ? message.provider_job_id : null,
        queue_name: message.queue_name || undefined,
        priority: has(message, 'priority') ? message.priority : null,
        arguments: message.arguments.map((value) => fromValueMessage(value, 0)),
        executions: message.executions,
        exception_executions: { ...message.exception_executions },
        locale: message.locale || undefined,
        timezone: message.timezone || undefined,
        enqueued_at: message.enqueued_at || undefined,
        scheduled_at: has(message, 'scheduled_at') ? message.scheduled_at : null,
        envelope_version: message.envelope_version || undefined,
        continuation: has(message, 'continuation') ? wireContinuation(message.continuation as ContinuationMessage) : null,
        resumptions: has(message, 'resumptions') ? message.resumptions : null,
      });
    },
  };
}

function continuationMessage(continuation: WireContinuation): ContinuationMessage {
  const { completed, current } = continuation;
  return current ? { completed, current: { name: current[0], cursor: toValueMessage(current[1]) } } : { completed };
}

/** The JSON form; the reader checks it. An unset cursor is null. */
function wireContinuation(message: ContinuationMessage): Record<string, unknown> {
  const step = has(message, 'current') ? message.current : undefined;
  if (!step) return { completed: [...message.completed] };
  let cursor: JsonValue = null;
  if (has(step, 'cursor') && step.cursor) {
    try {
      cursor = plainNumbers(fromValueMessage(step.cursor, 0));
    } catch (error) {
      if (error instanceof EnvelopeError) throw new EnvelopeError(`continuation.current cursor: ${error.message}`);
      throw error;
    }
  }
  return { completed: [...message.completed], current: [step.name, cursor] };
}

/**
 * A whole-number double reads as a RubyFloat (kept for arguments, which Rails must get back as
 * Floats); a cursor gets the plain number, as the JSON codec gives it.
 */
function plainNumbers(value: JsonValue): JsonValue {
  if ((value as unknown) instanceof RubyFloat) return (value as unknown as RubyFloat).value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) value[index] = plainNumbers(value[index] as JsonValue);
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) value[key] = plainNumbers(value[key] as JsonValue);
  }
  return value;
}

/** The protobuf codec with the default limits. */
export const protobufCodec: EnvelopeCodec = createProtobufCodec();
