import { tracingChannel } from 'node:diagnostics_channel';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { componentLogger, createLogger, directLine } from '../../../src/config/logger.js';
import { fdSink, BufferedLineDestination } from '../../../src/config/log-destination.js';
import { configure, executeEnvelope, Job, JobRegistry } from '../../../src/index.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import { envelopeOf } from '../../support/envelope.js';

afterEach(() => {
  resetConfiguration();
  vi.useRealTimers();
});

/** A BufferedLineDestination over a stream that records each write it receives. */
function recordingDestination(): { destination: BufferedLineDestination; writes: string[] } {
  const writes: string[] = [];
  return { destination: new BufferedLineDestination((bytes) => void writes.push(bytes.toString('utf8'))), writes };
}

/** Past the 5 ms a line may wait: a later timer fires after the destination's. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

class ReportJob extends Job {
  perform(_month: string): void {}
}

describe('BufferedLineDestination', () => {
  it('writes the lines that came together in one write, in order, within 5 ms', async () => {
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

  it('writes at once when 16 KB have gathered (a busy worker writes every few dozen lines); everything in order', () => {
    const { destination, writes } = recordingDestination();
    const lines = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(4, '0')}${'é'.repeat(500)}\n`);
    for (const line of lines) destination.write(line);
    // 200 lines of about 1 KB: a write for each 16 KB or so, none waiting for the timer.
    expect(writes.length).toBeGreaterThanOrEqual(10);
    for (const written of writes) expect(Buffer.byteLength(written)).toBeLessThanOrEqual(64 * 1024);
    destination.flushSync();
    expect(writes.join('')).toBe(lines.join(''));
  });

  it('writes a line longer than its buffer on its own, after what came before it', () => {
    const { destination, writes } = recordingDestination();
    const long = `${'x'.repeat(100_000)}\n`;
    destination.write('before\n');
    destination.write(long);
    destination.write('after\n');
    destination.flushSync();
    expect(writes).toEqual(['before\n', long, 'after\n']);
  });

  it("writes to a file descriptor, all of it, with fdSink (what warren's default logger uses on stdout)", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'warren-log-')), 'out.log');
    const fd = openSync(file, 'w');
    try {
      const destination = new BufferedLineDestination(fdSink(fd));
      destination.write('{"msg":"one"}\n');
      destination.write('{"msg":"dos ñ"}\n');
      destination.flushSync();
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"msg":"one"}\n{"msg":"dos ñ"}\n');
  });

  it('writes what is buffered on flushSync (what the exit hook calls)', () => {
    const { destination, writes } = recordingDestination();
    destination.write('a\n');
    destination.flushSync();
    destination.write('b\n');
    destination.flushSync();
    expect(writes).toEqual(['a\n', 'b\n']);
  });

  it('survives a sink that fails (stdout closed: EPIPE): one process warning, no throw from its timer, later lines dropped', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      let calls = 0;
      const destination = new BufferedLineDestination(() => {
        calls += 1;
        throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' });
      });
      destination.write('first\n');
      await nextTurn(); // the timer's flush: a throw there would be an uncaught exception
      destination.write('second\n');
      destination.flushSync();
      await nextTurn();
      expect(calls).toBe(1);
      expect(warnings.map((warning) => warning.message)).toEqual([expect.stringContaining('EPIPE')]);
    } finally {
      process.off('warning', onWarning);
    }
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
