import { DEFAULTS } from '../../config/defaults.js';
import { EnvelopeError } from '../../errors.js';
import { CONTENT_TYPES, type Envelope, type EnvelopeCodec } from '../envelope.js';
import { JsonSyntaxError, parseJson, stringifyJson } from '../lossless-json.js';
import { isPrepared } from '../prepared.js';
import { holdsRubyFloats } from '../values/ruby-float.js';
import { readEnvelope } from './envelope-reader.js';
import { MAX_WIRE_NESTING, checkSize, checkWireArguments, type CodecOptions } from './limits.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON encoding (content type application/json): the envelope exactly as Active
 * Job's `serialize` writes it, plus `envelope_version`. Big integers are read and
 * written losslessly (see json.ts).
 */
export function createJsonCodec(options: CodecOptions = {}): EnvelopeCodec {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
  return {
    contentType: CONTENT_TYPES.json,

    encode(envelope: Envelope): Buffer {
      const prepared = isPrepared(envelope);
      const checked = readEnvelope(envelope, { enqueuedAtWrittenByWarren: prepared });
      // Arguments of a prepared envelope come from the argument writer (or a codec): already checked.
      const floats = prepared ? holdsRubyFloats(checked.arguments) : checkWireArguments(checked.arguments, true).holdsRubyFloats;
      const body = Buffer.from(stringifyJson(checked, floats), 'utf8');
      checkSize(body.length, maxMessageBytes, 'encoded');
      return body;
    },

    decode(body: Buffer): Envelope {
      checkSize(body.length, maxMessageBytes, 'received');
      let text: string;
      try {
        text = utf8.decode(body);
      } catch {
        throw new EnvelopeError('body is not valid UTF-8');
      }
      let raw: unknown;
      try {
        raw = parseJson(text);
      } catch (error) {
        if (error instanceof JsonSyntaxError) throw new EnvelopeError(`body is not valid JSON: ${error.message}`);
        throw error;
      }
      const envelope = readEnvelope(raw);
      // Each nesting level takes at least two characters, so short bodies cannot be too deep.
      if (body.length > 2 * MAX_WIRE_NESTING) checkWireArguments(envelope.arguments, false);
      return envelope;
    },
  };
}

/** The JSON codec with the default limits. */
export const jsonCodec: EnvelopeCodec = createJsonCodec();
