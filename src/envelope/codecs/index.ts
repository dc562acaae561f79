// STUB: the envelope helper replaces this with codecs/json.ts and codecs/protobuf.ts.
import { EnvelopeError } from '../../errors.js';
import { CONTENT_TYPES, type Envelope, type EnvelopeCodec } from '../envelope.js';

export const jsonCodec: EnvelopeCodec = {
  contentType: CONTENT_TYPES.json,
  encode: (envelope) => Buffer.from(JSON.stringify(envelope)),
  decode: (body) => JSON.parse(body.toString('utf8')) as Envelope,
};

/** The codec for a message's content type; EnvelopeError for an unknown or missing one. */
export function codecFor(contentType: string | undefined): EnvelopeCodec {
  if (contentType === CONTENT_TYPES.json) return jsonCodec;
  throw new EnvelopeError(`unknown content type ${JSON.stringify(contentType)}`);
}
