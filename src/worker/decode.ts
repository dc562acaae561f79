import { DELAY_HEADERS } from '../amqp/delay/hold.js';
import { ownHeader } from '../amqp/message.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { DEFAULTS } from '../config/defaults.js';
import { codecFor } from '../envelope/codecs/index.js';
import type { Envelope } from '../envelope/envelope.js';
import { EnvelopeError, SignatureError } from '../errors.js';
import type { Delivery } from './delivery.js';
import type { DeadLetterReason } from './events.js';

/** Why a message cannot be read as a job: it goes to the dead-letter queue with this reason. */
export class Undecodable {
  readonly action = 'dead-letter';
  constructor(
    readonly reason: DeadLetterReason,
    readonly error: Error,
  ) {}
}

export interface DecodeOptions {
  maxMessageBytes: number;
  /** Checks signatures before anything is parsed; undefined: signatures are not checked. */
  signatures: EnvelopeSigner | undefined;
}

/** Size check, signature check (before parsing anything), codec: an envelope, or why the message cannot be one. */
export function decode(delivery: Delivery, options: DecodeOptions): Envelope | Undecodable {
  const refused = bodyProblem(delivery, options);
  if (refused instanceof Undecodable) return refused;
  let envelope: Envelope;
  try {
    envelope = codecFor(delivery.message.properties.contentType as string | undefined).decode(delivery.message.content);
  } catch (error) {
    return new Undecodable('undecodable', error instanceof Error ? error : new Error(String(error)));
  }
  if (options.signatures?.checkQueue && refused?.keyId !== undefined && envelope.queue_name !== delivery.queue) {
    const error = new SignatureError(
      `the envelope is signed for queue "${envelope.queue_name}" but was delivered from "${delivery.queue}" (signing.checkQueue): a signed job copied into another queue does not run there`,
    );
    return new Undecodable('bad-signature', error);
  }
  return envelope;
}

/**
 * What must be refused before a delivery with a due time is held or sent round the delay ladder
 * again: otherwise a message that will be dead-lettered anyway (unsigned in a worker that
 * requires signatures, too large) would first be parked until its due time, a year if its
 * header says so. Also refused: a due time that is not a number of milliseconds, or that lies
 * further ahead than any delay warren makes (DEFAULTS.delay.maxDelayMs).
 *
 * Undefined for a delivery without a due-time header (nearly all of them): one own-property check.
 */
export function checkBeforeHold(delivery: Delivery, options: DecodeOptions & { now?: number }): Undecodable | undefined {
  const raw = ownHeader(delivery.message.properties.headers as Record<string, unknown> | undefined, DELAY_HEADERS.dueAt);
  if (raw === undefined) return undefined;
  const refused = bodyProblem(delivery, options);
  if (refused instanceof Undecodable) return refused;
  const text = typeof raw === 'string' ? raw.trim() : Buffer.isBuffer(raw) ? raw.toString('utf8').trim() : undefined;
  const dueAt = typeof raw === 'number' ? raw : text ? Number(text) : Number.NaN;
  if (!Number.isFinite(dueAt)) {
    const shown = String(text ?? typeof raw).slice(0, 64);
    return new Undecodable(
      'undecodable',
      new EnvelopeError(`the ${DELAY_HEADERS.dueAt} header is not a time in milliseconds since the epoch: ${JSON.stringify(shown)}`),
    );
  }
  const ahead = dueAt - (options.now ?? Date.now());
  if (ahead > DEFAULTS.delay.maxDelayMs) {
    const days = (ms: number): number => Math.round(ms / 86_400_000);
    return new Undecodable(
      'undecodable',
      new EnvelopeError(
        `the ${DELAY_HEADERS.dueAt} header is ${days(ahead)} days ahead, beyond the longest delay warren makes (${days(DEFAULTS.delay.maxDelayMs)} days)`,
      ),
    );
  }
  return undefined;
}

/** Too large, or a signature that does not check: why; else the signature's key id when one was checked. */
function bodyProblem(delivery: Delivery, options: DecodeOptions): Undecodable | { keyId: string | undefined } | undefined {
  const body = delivery.message.content;
  if (body.length > options.maxMessageBytes) {
    return new Undecodable('too-large', new EnvelopeError(`message body is ${body.length} bytes, above the limit of ${options.maxMessageBytes} bytes`));
  }
  const signature = options.signatures?.check(body, delivery.message.properties.headers as Record<string, unknown> | undefined);
  if (!signature) return undefined;
  if (!signature.ok) return new Undecodable(signature.reason, signature.error);
  return { keyId: signature.keyId };
}
