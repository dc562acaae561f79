import { tracingChannel } from 'node:diagnostics_channel';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { componentLogger, createLogger, directLine } from '../../../src/config/logger.js';
import { TurnBufferedDestination } from '../../../src/config/log-destination.js';
import { configure, executeEnvelope, Job, JobRegistry } from '../../../src/index.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { envelopeOf } from '../../support/envelope.js';

afterEach(() => {
  resetConfiguration();
  vi.useRealTimers();
});

/** A TurnBufferedDestination over a stream that records each write it receives. */
function recordingDestination(): { destination: TurnBufferedDestination; writes: string[] } {
  const writes: string[] = [];
  return { destination: new TurnBufferedDestination({ write: (chunk: string) => writes.push(chunk) }), writes };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class ReportJob extends Job {
  perform(_month: string): void {}
}

describe('TurnBufferedDestination', () => {
  it('writes the lines of one turn of the event loop together, in order, once the turn ends', async () => {
    const { destination, writes } = recordingDestination();
    destination.write('one\n');
    destination.write('two\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['one\ntwo\n']);
    destination.write('three\n');
    await nextTurn();
    expect(writes).toEqual(['one\ntwo\n', 'three\n']);
  });

  it('writes at once when a turn has buffered 64 KB, so a busy turn cannot hold unbounded memory', () => {
    const { destination, writes } = recordingDestination();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 64; i += 1) destination.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(64 * 1024);
  });

  it('writes what is buffered on flushSync and close (the exit hook calls flushSync)', () => {
    const { destination, writes } = recordingDestination();
    destination.write('a\n');
    destination.flushSync();
    destination.write('b\n');
    destination.close();
    expect(writes).toEqual(['a\n', 'b\n']);
  });
});

describe('directLine', () => {
  it("writes exactly pino's line for the same level, bindings, fields and message", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-06T10:00:00Z'));
    const direct = recordingDestination();
    const viaPino = recordingDestination();
    const warrenLogger = componentLogger(createLogger('info', direct.destination), 'worker', { queue_count: 2 });
    const pinoLogger = pino({ name: 'warren', level: 'info' }, viaPino.destination).child({ component: 'worker', queue_count: 2 });
    const fields = { job: 'Report "Q4"\n', n: 3, ratio: Number.NaN, ok: true, none: null };
    const fieldsJson = ',"job":"Report \\"Q4\\"\\n","n":3,"ratio":null,"ok":true,"none":null';
    expect(directLine(warrenLogger, 'warn', fieldsJson, 'performed ✓')).toBe(true);
    pinoLogger.warn(fields, 'performed ✓');
    await nextTurn();
    expect(direct.writes).toEqual(viaPino.writes);
    expect(JSON.parse(direct.writes[0] as string)).toMatchObject({ level: 40, component: 'worker', job: 'Report "Q4"\n', msg: 'performed ✓' });
  });

  it('declines loggers warren did not make or that write elsewhere, so pino writes their lines', () => {
    const { destination } = recordingDestination();
    expect(directLine(pino({ name: 'warren' }, destination), 'info', '', 'x')).toBe(false);
    expect(directLine(createLogger('info', { write: () => undefined }), 'info', '', 'x')).toBe(false);
  });
});

describe("the per-job lines through warren's own logger", () => {
  it("are the lines pino writes for the same job, field for field and in pino's order", async () => {
    const registry = new JobRegistry().register(ReportJob);
    const envelope = envelopeOf('ReportJob', ['2026-11'], { queue_name: 'reports' });
    const direct = recordingDestination();
    configure({ logger: createLogger('info', direct.destination) });
    // pino's serializer announces itself on this tracing channel: the direct line must not call it.
    let serializedByPino = 0;
    const ignore = (): void => undefined;
    const count = { start: () => void (serializedByPino += 1), end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore };
    tracingChannel('pino_asJson').subscribe(count);
    try {
      await executeEnvelope(envelope, registry);
    } finally {
      tracingChannel('pino_asJson').unsubscribe(count);
    }
    expect(serializedByPino).toBe(0);
    const viaPino = recordingDestination();
    configure({ logger: pino({ name: 'warren', level: 'info' }, viaPino.destination) });
    await executeEnvelope(envelope, registry);
    await nextTurn();
    const comparable = (text: string | undefined): string =>
      (text ?? '').replace(/"time":\d+/, '"time":0').replace(/"duration_ms":[\d.e-]+/, '"duration_ms":0');
    expect(direct.writes).toHaveLength(1);
    expect(comparable(direct.writes[0])).toBe(comparable(viaPino.writes[0]));
    expect(JSON.parse(direct.writes[0] as string)).toMatchObject({ job_class: 'ReportJob', queue: 'reports', event: 'performed', msg: 'performed' });
  });
});
