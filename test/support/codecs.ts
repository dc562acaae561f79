import { deserializeArguments, serializeArguments } from '../../src/envelope/arguments.js';
import { jsonCodec, protobufCodec } from '../../src/envelope/codecs/index.js';
import type { EnvelopeCodec } from '../../src/envelope/envelope.js';
import { envelopeOf } from './envelope.js';

/** Every codec warren ships, by name: for tests that run once per codec. */
export const codecs: readonly [string, EnvelopeCodec][] = [
  ['json', jsonCodec],
  ['protobuf', protobufCodec],
];

/** serialize -> codec encode -> decode -> deserialize. */
export async function roundTrip(codec: EnvelopeCodec, args: unknown[]): Promise<unknown[]> {
  const body = codec.encode(envelopeOf('ReportJob', serializeArguments(args)));
  return deserializeArguments(codec.decode(body).arguments);
}
