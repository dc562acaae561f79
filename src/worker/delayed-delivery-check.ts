import { DELAY_HEADERS } from '../amqp/delay/hold.js';
import { ownHeader } from '../amqp/message.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { DEFAULTS } from '../config/defaults.js';
import { EnvelopeError } from '../errors.js';
import type { Delivery } from './consumer.js';
import type { DeliveryVerdict } from './process-delivery.js';

/**
 * What must be refused before a delivery with a due time is held or sent round the delay ladder
 * again: otherwise a message that will be dead-lettered anyway (unsigned in a worker that
 * requires signatures, too large) would first be parked until its due time, a year if its
 * header says so. Also refused: a due time that is not a number of milliseconds, or that lies
 * further ahead than any delay warren makes (DEFAULTS.delay.maxDelayMs).
 *
 * Undefined for a delivery without a due-time header (nearly all of them): one own-property check.
 */
export function delayedDeliveryProblem(
  delivery: Delivery,
  options: { signer: EnvelopeSigner | undefined; maxMessageBytes: number; now?: number },
): Extract<DeliveryVerdict, { action: 'dead-letter' }> | undefined {
  const headers = delivery.message.properties.headers as Record<string, unknown> | undefined;
  const raw = ownHeader(headers, DELAY_HEADERS.dueAt);
  if (raw === undefined) return undefined;
  const body = delivery.message.content;
  if (body.length > options.maxMessageBytes) {
    return { action: 'dead-letter', reason: 'too-large', error: new EnvelopeError(`message body is ${body.length} bytes, above the limit of ${options.maxMessageBytes} bytes`) };
  }
  const signature = options.signer?.check(body, headers);
  if (signature && !signature.ok) return { action: 'dead-letter', reason: signature.reason, error: signature.error };
  const text = typeof raw === 'string' ? raw.trim() : Buffer.isBuffer(raw) ? raw.toString('utf8').trim() : undefined;
  const dueAt = typeof raw === 'number' ? raw : text ? Number(text) : Number.NaN;
  if (!Number.isFinite(dueAt)) {
    const shown = String(text ?? typeof raw).slice(0, 64);
    return { action: 'dead-letter', reason: 'undecodable', error: new EnvelopeError(`the ${DELAY_HEADERS.dueAt} header is not a time in milliseconds since the epoch: ${JSON.stringify(shown)}`) };
  }
  const ahead = dueAt - (options.now ?? Date.now());
  if (ahead > DEFAULTS.delay.maxDelayMs) {
    return {
      action: 'dead-letter',
      reason: 'undecodable',
      error: new EnvelopeError(`the ${DELAY_HEADERS.dueAt} header is ${Math.round(ahead / 86_400_000)} days ahead, beyond the longest delay warren makes (${Math.round(DEFAULTS.delay.maxDelayMs / 86_400_000)} days)`),
    };
  }
  return undefined;
}
