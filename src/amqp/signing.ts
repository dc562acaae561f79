import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError, SignatureError } from '../errors.js';
import { HEADERS, ownHeader } from './message.js';

/**
 * Signed envelopes (optional). The producer computes HMAC-SHA256 over the exact bytes of the
 * message body with a shared secret key and sends it in the `warren-signature` header as
 * `hmac-sha256=<64 lower-case hex digits>`, with the key's id in `warren-signature-key`.
 * A worker that requires signatures dead-letters a message whose signature is missing
 * (reason `unsigned`), names a key it does not have, or does not match the body
 * (`bad-signature`), before decoding it. The algorithm is written out in schemas/README.md
 * so producers in other languages can sign.
 *
 * What it covers: the body, byte for byte (the whole envelope: job, arguments, queue, job id).
 * Not the AMQP properties or other headers, and not replays: a signed message published again
 * verifies again (jobs are idempotent anyway under at-least-once delivery).
 */
export interface SigningOptions {
  /**
   * Secret keys by key id. A producer signs with `signWith`; a worker verifies with the key the
   * message names, so keys can be rotated: add the new key to every worker, switch producers'
   * `signWith`, then remove the old key. A string key is used as its UTF-8 bytes. At least 16
   * bytes (32 random bytes recommended). Key ids: letters, digits, `.`, `_` and `-`, at most 64.
   * Keys are never logged. Required (no default).
   */
  keys: Readonly<Record<string, string | Buffer>>;
  /**
   * The id of the key published messages are signed with. Default: the only key when there is
   * exactly one. A worker needs it too when it has several keys: it signs the retries it publishes.
   */
  signWith?: string;
  /**
   * Worker: dead-letter every message that is not signed with a valid signature. false accepts
   * unsigned messages (while producers are being migrated) but still dead-letters a signature
   * that does not verify. Default: true.
   */
  require?: boolean;
  /**
   * Worker: also dead-letter (as `bad-signature`) a signed envelope delivered from a queue other
   * than its `queue_name`: the signature covers the body, so a signed job copied into another
   * queue would otherwise run there. Leave off when a topology routes jobs into queues named
   * differently from their queue_name. Default: false.
   */
  checkQueue?: boolean;
}

/** The header value's prefix: the algorithm. */
export const SIGNATURE_SCHEME = 'hmac-sha256=';
const SIGNATURE_VALUE = /^hmac-sha256=([0-9a-f]{64})$/;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_KEY_BYTES = 16;

/** `hmac-sha256=<hex>` of `body` with `key`. */
export function signatureOf(body: Buffer, key: string | Buffer): string {
  return SIGNATURE_SCHEME + createHmac('sha256', key).update(body).digest('hex');
}

export type SignatureCheck = { ok: true; keyId: string | undefined } | { ok: false; reason: 'unsigned' | 'bad-signature'; error: SignatureError };

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** Signs bodies and checks signatures with the keys of SigningOptions (validated at construction). */
export class EnvelopeSigner {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly signWith: string | undefined;
  readonly required: boolean;
  readonly checkQueue: boolean;

  constructor(options: SigningOptions) {
    const entries = Object.entries(options?.keys ?? {});
    if (entries.length === 0) throw new ConfigurationError('signing needs at least one key: { keys: { "<key id>": "<secret>" } }');
    const keys = new Map<string, Buffer>();
    for (const [id, key] of entries) {
      if (!KEY_ID.test(id)) throw new ConfigurationError(`signing key id ${JSON.stringify(id.slice(0, 80))} must be 1 to 64 letters, digits, ".", "_" or "-"`);
      const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.isBuffer(key) ? key : undefined;
      if (!bytes || bytes.length < MIN_KEY_BYTES) {
        throw new ConfigurationError(`signing key "${id}" must be a string or Buffer of at least ${MIN_KEY_BYTES} bytes (32 random bytes recommended)`);
      }
      keys.set(id, bytes);
    }
    const signWith = options.signWith ?? (keys.size === 1 ? [...keys.keys()][0] : undefined);
    if (options.signWith !== undefined && !keys.has(options.signWith)) {
      throw new ConfigurationError(`signWith names the key "${options.signWith}", which is not among the signing keys (${[...keys.keys()].join(', ')})`);
    }
    this.keys = keys;
    this.signWith = signWith;
    this.required = options.require ?? true;
    this.checkQueue = options.checkQueue ?? false;
  }

  /** ConfigurationError unless this signer knows which key signs (`signWith`, or a single key). */
  assertCanSign(): void {
    if (this.signWith === undefined) {
      throw new ConfigurationError(`several signing keys (${[...this.keys.keys()].join(', ')}) and no signWith: say which key signs what is published`);
    }
  }

  /** The headers that sign `body`. ConfigurationError when several keys are given and no `signWith`. */
  headersFor(body: Buffer): Record<string, string> {
    this.assertCanSign();
    if (this.signWith === undefined) return {};
    return { [HEADERS.signature]: signatureOf(body, this.keys.get(this.signWith)!), [HEADERS.signatureKey]: this.signWith };
  }

  /** Whether `body` carries a valid signature in `headers`; constant-time comparison. */
  check(body: Buffer, headers: Record<string, unknown> | undefined): SignatureCheck {
    const value = headerText(ownHeader(headers, HEADERS.signature));
    const keyId = headerText(ownHeader(headers, HEADERS.signatureKey));
    if (value === undefined && keyId === undefined) {
      if (!this.required) return { ok: true, keyId: undefined };
      return {
        ok: false,
        reason: 'unsigned',
        error: new SignatureError(`the message is not signed (no ${HEADERS.signature} header) and this worker requires signatures`),
      };
    }
    const fail = (why: string): SignatureCheck => ({ ok: false, reason: 'bad-signature', error: new SignatureError(why) });
    if (keyId === undefined) return fail(`the message has a ${HEADERS.signature} header but no ${HEADERS.signatureKey} header naming its key`);
    const key = this.keys.get(keyId);
    if (!key) return fail(`the message is signed with the key "${keyId.slice(0, 64)}", which this worker does not have`);
    const match = value === undefined ? null : SIGNATURE_VALUE.exec(value);
    if (!match) return fail(`the ${HEADERS.signature} header is not "${SIGNATURE_SCHEME}" followed by 64 lower-case hex digits`);
    const expected = createHmac('sha256', key).update(body).digest();
    if (!timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'))) {
      return fail(
        `the signature does not match the body (signed with the key "${keyId}"): the message was changed after it was signed, or signed with another secret`,
      );
    }
    return { ok: true, keyId };
  }
}
