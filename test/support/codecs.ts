import { deserializeArguments, type EnvelopeCodec, jsonCodec, protobufCodec, serializeArguments } from '../../src/index.js';
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
