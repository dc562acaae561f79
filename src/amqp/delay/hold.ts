import { ownHeader } from '../message.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** Headers of delayed jobs. None starts with `x-death` (the broker's own). */
export const DELAY_HEADERS = Object.freeze({
  /** When the job is due, in ms since the epoch: a worker never performs it before. */
  dueAt: 'warren-due-at',
});

/** The due time a message carries, or undefined when it carries none (or nonsense). */
export function dueAtOf(headers: Record<string, unknown> | undefined): number | undefined {
  const raw = ownHeader(headers, DELAY_HEADERS.dueAt);
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * What a worker does with a delivery, given its due time:
 * - run: due (or not delayed);
 * - hold: early by at most `maxHoldMs`: keep it unacked for `waitMs`, then run it;
 * - redelay: earlier than that: publish it into the ladder again for the rest, ack once confirmed.
 */
export type ArrivalDecision = { action: 'run' } | { action: 'hold'; waitMs: number } | { action: 'redelay'; dueAt: number };

export function arrivalDecision(dueAt: number | undefined, now: number, maxHoldMs: number): ArrivalDecision {
  if (dueAt === undefined || dueAt <= now) return { action: 'run' };
  const waitMs = dueAt - now;
  return waitMs <= maxHoldMs ? { action: 'hold', waitMs } : { action: 'redelay', dueAt };
}

/**
 * Resolves true once the clock reached `dueAt` (never a millisecond before: timers may fire
 * early by a fraction of a millisecond), or false as soon as `signal` aborts.
 */
export async function waitUntilDue(dueAt: number, signal?: AbortSignal): Promise<boolean> {
  for (;;) {
    if (signal?.aborted) return false;
    const remaining = dueAt - Date.now();
    if (remaining <= 0) return true;
    try {
      await sleep(remaining, undefined, signal ? { signal } : undefined);
    } catch {
      return false;
    }
  }
}
