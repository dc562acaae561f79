// The producer side shared by every system: warm-up, timing, and the four modes
// (single: each enqueue awaited before the next; inflight: `batchSize` single enqueues in
// flight at all times, as a busy web server makes them; bulk: batches; steady: a fixed rate
// without waiting, as a web server would).
import { setTimeout as sleep } from 'node:timers/promises';
import { readSpec, runChild, tell } from './child.js';
import { PauseMeter } from './pauses.js';
import { benchPayload, nowNs, type BenchPayload } from './payload.js';
import type { ProducerSpec } from './protocol.js';

export interface ProducerClient {
  /** Enqueue one job; resolves once the system confirmed it. */
  enqueueOne(payload: BenchPayload): Promise<void>;
  /** Enqueue a batch the system's bulk way; resolves with how many failed. */
  enqueueBatch(payloads: BenchPayload[]): Promise<number>;
  close(): Promise<void>;
  /** Events that point at trouble (a dropped connection...), by name. */
  incidents?: Record<string, number>;
}

export function runProducer(connect: (spec: ProducerSpec) => Promise<ProducerClient>): void {
  runChild(async () => {
    const spec = readSpec<ProducerSpec>();
    const client = await connect(spec);
    await client.enqueueOne(benchPayload(0)); // connection, channel and queue set up: not timed
    await tell({ type: 'ready' });
    let failures = 0;
    let timedJobs = 0;
    const pauses = new PauseMeter();
    const cpuBefore = process.cpuUsage();
    const started = nowNs();
    if (spec.mode === 'single') {
      for (let i = 1; i <= spec.count; i++) await client.enqueueOne(benchPayload(i)).catch(() => (failures += 1));
      timedJobs = spec.count;
    } else if (spec.mode === 'inflight') {
      timedJobs = await inFlight(client, spec, () => (failures += 1));
    } else if (spec.mode === 'bulk') {
      for (let from = 1; from <= spec.count; from += spec.batchSize) {
        const size = Math.min(spec.batchSize, spec.count - from + 1);
        failures += await client.enqueueBatch(Array.from({ length: size }, (_, i) => benchPayload(from + i)));
      }
      timedJobs = spec.count;
    } else {
      timedJobs = await steady(client, spec, () => (failures += 1), pauses);
    }
    const ended = nowNs();
    const cpu = process.cpuUsage(cpuBefore);
    const paused = pauses.stop();
    await client.close();
    const seconds = (ended - started) / 1e9;
    await tell({
      type: 'producer-result',
      result: {
        enqueued: timedJobs + 1 - failures,
        timedJobs,
        seconds,
        cpuUsPerJob: timedJobs > 0 ? (cpu.user + cpu.system) / timedJobs : 0,
        failures,
        startNs: started,
        endNs: ended,
        incidents: client.incidents ?? {},
        pauses: paused,
      },
    });
  });
}

/** `count` single enqueues, `batchSize` of them in flight at all times (a new one as each is confirmed). */
async function inFlight(client: ProducerClient, spec: ProducerSpec, onFailure: () => void): Promise<number> {
  let next = 1;
  const lane = async (): Promise<void> => {
    while (next <= spec.count) {
      const index = next;
      next += 1;
      await client.enqueueOne(benchPayload(index)).catch(onFailure);
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.batchSize, spec.count) }, lane));
  return spec.count;
}

/** `rate` jobs per second for `seconds`, each enqueue started on schedule and not awaited. */
async function steady(client: ProducerClient, spec: ProducerSpec, onFailure: () => void, pauses: PauseMeter): Promise<number> {
  const total = Math.round(spec.rate * spec.seconds);
  const intervalNs = 1e9 / spec.rate;
  const start = nowNs();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((nowNs() - start) / intervalNs) + 1);
    while (sent < due) {
      sent += 1;
      if (spec.pausesAfter !== undefined && sent > spec.pausesAfter) pauses.start(); // once
      inFlight.push(client.enqueueOne(benchPayload(sent)).catch(onFailure));
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  return total;
}
