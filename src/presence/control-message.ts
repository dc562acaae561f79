import { randomUUID } from 'node:crypto';
import type { EnvelopeSigner } from '../amqp/signing.js';
import { DEFAULTS } from '../config/defaults.js';

/**
 * What an operator asks of workers, sent on the control exchange (routing key `all` or a
 * worker's id):
 * - `quiet`: stop taking new jobs and finish the running ones (Sidekiq's TSTP); the worker stays
 *   up and keeps reporting until it is stopped.
 * - `stop`: a graceful stop, as SIGTERM.
 * - `cancel`: abort the signal of the running job with this id (JobCancelledError); the job decides.
 * - `ping`: send a heartbeat now (how `warren stats` sees every worker without waiting a beat).
 * - `pause` / `resume`: stop (or start again) taking jobs from this queue; sent to `all` after the
 *   queue's marker was declared (or deleted) on the broker, which is what a restarted worker reads.
 */
export type ControlCommand =
  | { command: 'quiet' }
  | { command: 'stop' }
  | { command: 'cancel'; jobId: string }
  | { command: 'ping' }
  | { command: 'pause'; queue: string }
  | { command: 'resume'; queue: string };

/**
 * A control message as sent: the command, whom it is for (a worker id or `all`: inside the
 * signed body, so a signed stop for one worker cannot be replayed to the others), when it was
 * sent, and a random id.
 */
export type ControlMessage = ControlCommand & { to: string; sentAt: string; id: string };

function text(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/**
 * The message in `value`, or undefined. Checked by hand rather than with zod: every worker reads
 * control messages, and zod is loaded only by what needs it (see test/unit/eager-imports.test.ts).
 */
function controlMessageOf(value: unknown): ControlMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { command, to, sentAt, id, jobId, queue } = value as Record<string, unknown>;
  if (!text(to, 1, 300) || !text(sentAt, 0, 40) || !text(id, 0, 64)) return undefined;
  switch (command) {
    case 'quiet':
    case 'stop':
    case 'ping':
      return { command, to, sentAt, id };
    case 'cancel':
      return text(jobId, 1, 255) ? { command, jobId, to, sentAt, id } : undefined;
    case 'pause':
    case 'resume':
      return text(queue, 1, 255) ? { command, queue, to, sentAt, id } : undefined;
    default:
      return undefined;
  }
}

/** The body and headers of a control message (signed when a signer is given). */
export function encodeControl(command: ControlCommand, to: string, signer: EnvelopeSigner | undefined): { body: Buffer; headers: Record<string, string> } {
  const message: ControlMessage = { ...command, to, sentAt: new Date().toISOString(), id: randomUUID() };
  const body = Buffer.from(JSON.stringify(message));
  return { body, headers: signer ? signer.headersFor(body) : {} };
}

export type ControlCheck = { ok: true; message: ControlMessage } | { ok: false; why: string };

/**
 * Reads a received control message. With a signer, only a message signed with one of its keys
 * is obeyed (whatever `signing.require` says for jobs: control needs no migration period);
 * without one, any well-formed message is. Either way a message sent more than
 * DEFAULTS.presence.controlMaxAgeMs ago (or that far in the future) is refused, so a replayed
 * stop does nothing later, and one whose body names another worker (`to`) is refused, so a stop
 * for one worker replayed to `all` stops no other.
 */
export function checkControl(
  body: Buffer,
  headers: Record<string, unknown> | undefined,
  signer: EnvelopeSigner | undefined,
  self: string,
  now = Date.now(),
): ControlCheck {
  if (signer) {
    const signature = signer.check(body, headers);
    if (!signature.ok) return { ok: false, why: signature.error.message };
    if (signature.keyId === undefined) return { ok: false, why: 'control messages must be signed when signing is configured' };
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  const message = controlMessageOf(value);
  if (!message) return { ok: false, why: 'not a control message' };
  if (message.to !== 'all' && message.to !== self) return { ok: false, why: 'addressed to another worker' };
  const sentAt = Date.parse(message.sentAt);
  if (Number.isNaN(sentAt) || Math.abs(now - sentAt) > DEFAULTS.presence.controlMaxAgeMs) {
    return { ok: false, why: `sent at ${message.sentAt}: too old or in the future` };
  }
  return { ok: true, message };
}
