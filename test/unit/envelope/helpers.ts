import { deserializeArguments, serializeArguments } from '../../../src/envelope/arguments.js';
import { jsonCodec, protobufCodec } from '../../../src/envelope/codecs/index.js';
import type { Envelope, EnvelopeCodec, JsonValue } from '../../../src/envelope/envelope.js';
import { GlobalId, type GlobalIdentification } from '../../../src/envelope/global-id.js';

export const codecs: readonly [string, EnvelopeCodec][] = [
  ['json', jsonCodec],
  ['protobuf', protobufCodec],
];

export function envelopeWith(args: JsonValue[], overrides: Partial<Envelope> = {}): Envelope {
  return {
    job_class: 'ReportJob',
    job_id: '0b7c6a3e-1c1f-4b43-9f55-9f6f5d3b1e2a',
    provider_job_id: null,
    queue_name: 'default',
    priority: null,
    arguments: args,
    executions: 0,
    exception_executions: {},
    locale: 'en',
    timezone: 'UTC',
    enqueued_at: '2024-05-01T12:00:00.123456789Z',
    scheduled_at: null,
    envelope_version: 1,
    ...overrides,
  };
}

/** serialize -> codec encode -> decode -> deserialize. */
export async function roundTrip(codec: EnvelopeCodec, args: unknown[]): Promise<unknown[]> {
  const body = codec.encode(envelopeWith(serializeArguments(args)));
  return deserializeArguments(codec.decode(body).arguments);
}

/** A record that identifies itself, as an ORM model would. */
export class User implements GlobalIdentification {
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}

  toGlobalId(): GlobalId {
    return GlobalId.create('User', this.id, { app: 'shop' });
  }
}

export const USERS = new Map([
  ['1', new User(1, 'Ada')],
  ['2', new User(2, 'Grace')],
  ['42', new User(42, 'Linus')],
]);

export function snapshotObjectPrototype(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
