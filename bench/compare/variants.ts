// The rows of the comparison.
import type { Variant } from './stages.js';

export const WARREN: Variant = { label: 'warren', system: 'warren' };
export const RAW: Variant = { label: 'raw amqplib', system: 'raw' };
export const BULLMQ: Variant = { label: 'BullMQ', system: 'bullmq' };

/** Variants that isolate one cost each, and the stages they run. */
export const DIAGNOSTICS: (Variant & { drain: boolean; latency: boolean })[] = [
  { label: 'warren, WARREN_LOG_LEVEL=warn (no per-job log lines)', system: 'warren', env: { WARREN_LOG_LEVEL: 'warn' }, drain: true, latency: false },
  {
    label: "warren, the per-job lines through pino's buffered destination (sync: false, minLength 4096)",
    system: 'warren',
    env: { BENCH_WARREN_LOG: 'buffered' },
    drain: true,
    latency: true,
  },
  {
    label: 'warren, queue declared without maxPriority (a topology file) instead of the default x-max-priority 10',
    system: 'warren',
    env: { BENCH_WARREN_QUEUE: 'plain' },
    drain: true,
    latency: true,
  },
  { label: 'raw amqplib, x-max-priority 10 queue (as warren declares)', system: 'raw', wire: 'priority', drain: true, latency: false },
  {
    label: "raw amqplib, warren's wire format (envelope body, exchange, mandatory, headers, priority queue)",
    system: 'raw',
    wire: 'warren',
    drain: true,
    latency: true,
  },
];
