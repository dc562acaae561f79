import { EnvelopeError } from '../../errors.js';
import type { EnvelopeCodec } from '../envelope.js';
import { jsonCodec } from './json-codec.js';
import { protobufCodec } from './protobuf-codec.js';

export { createJsonCodec, jsonCodec } from './json-codec.js';
export { createProtobufCodec, protobufCodec } from './protobuf-codec.js';
export type { CodecOptions } from './limits.js';

/** Media types each codec answers to (lower case, parameters stripped). */
const CODECS_BY_MEDIA_TYPE: ReadonlyMap<string, EnvelopeCodec> = new Map([
  ['application/json', jsonCodec],
  ['text/json', jsonCodec],
  ['application/x-protobuf', protobufCodec],
  ['application/protobuf', protobufCodec],
  ['application/vnd.google.protobuf', protobufCodec],
]);

/**
 * The codec for a message's content type; EnvelopeError for an unknown or missing one.
 * Parameters are accepted (`application/json; charset=utf-8`); JSON must be UTF-8, so
 * any other charset is refused.
 */
export function codecFor(contentType: string | undefined): EnvelopeCodec {
  // Nearly every delivery of a worker has the content type of the one before.
  if (contentType === lastContentType && lastCodec) return lastCodec;
  const codec = codecForContentType(contentType);
  lastContentType = contentType;
  lastCodec = codec;
  return codec;
}

let lastContentType: string | undefined;
let lastCodec: EnvelopeCodec | undefined;

function codecForContentType(contentType: string | undefined): EnvelopeCodec {
  if (typeof contentType !== 'string' || contentType.trim() === '') throw new EnvelopeError('missing content type');
  const [mediaType = '', ...parameters] = contentType.split(';');
  const codec = CODECS_BY_MEDIA_TYPE.get(mediaType.trim().toLowerCase());
  if (!codec) throw new EnvelopeError(`unknown content type ${JSON.stringify(contentType.slice(0, 100))}`);
  if (codec !== jsonCodec) return codec;
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') throw new EnvelopeError(`unsupported charset ${JSON.stringify(charset.slice(0, 40))}`);
  }
  return codec;
}
