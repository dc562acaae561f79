// The rows of the comparison.
import type { Variant } from './stages.js';

export const WARREN: Variant = { label: 'warren', system: 'warren' };
export const RAW: Variant = { label: 'raw amqplib', system: 'raw' };
export const BULLMQ: Variant = { label: 'BullMQ', system: 'bullmq' };

/** Variants that isolate one cost each, and the stages they run (`single`: the one-by-one enqueue stages). */
export const DIAGNOSTICS: (Variant & { drain: boolean; latency: boolean; single?: boolean })[] = [
  { label: 'warren, WARREN_LOG_LEVEL=warn (no per-job log lines)', system: 'warren', env: { WARREN_LOG_LEVEL: 'warn' }, drain: true, latency: false },
  {
    label: "warren, the per-job lines through pino's default synchronous destination (warren 0.1's default logger)",
    system: 'warren',
    env: { BENCH_WARREN_LOG: 'pino-sync' },
    drain: true,
    latency: true,
  },
  {
    label: 'warren, a queue with maxPriority 10 (a topology file; 0.1 declared every queue so)',
    system: 'warren',
    queueKind: 'priority',
    drain: true,
    latency: true,
  },
  { label: 'raw amqplib, x-max-priority 10 queue', system: 'raw', queueKind: 'priority', drain: true, latency: false },
  { label: 'warren, a quorum queue (a topology file)', system: 'warren', queueKind: 'quorum', drain: true, latency: true },
  { label: 'raw amqplib, a quorum queue', system: 'raw', queueKind: 'quorum', drain: true, latency: false },
  {
    label: "raw amqplib, warren's wire format (envelope body, exchange, mandatory, headers)",
    system: 'raw',
    wire: 'warren',
    drain: true,
    latency: true,
    single: true,
  },
];
