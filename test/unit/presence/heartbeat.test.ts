import { describe, expect, it } from 'vitest';
import { checkControl, encodeControl } from '../../../src/presence/control-message.js';
import { parseHeartbeat, type WorkerHeartbeat } from '../../../src/presence/heartbeat.js';
import { MAX_HEARTBEAT_BYTES, reportable } from '../../../src/presence/heartbeat-limits.js';
import { countReasons } from '../../../src/stats/stats-snapshot.js';

const beat: WorkerHeartbeat = {
  id: 'web-1:42:9f2c01ab',
  host: 'web-1',
  pid: 42,
  version: '0.1.0',
  queues: ['default'],
  concurrency: 2,
  busy: 1,
  running: [{ jobClass: 'ImportJob', jobId: 'j1', queue: 'default', executions: 1, startedAt: '2026-12-06T10:00:00.000Z', progress: { done: 1 } }],
  performed: 3,
  failed: 0,
  startedAt: '2026-12-06T09:00:00.000Z',
  sentAt: '2026-12-06T10:00:01.000Z',
  state: 'running',
  queueStats: {},
  cancels: [],
  retries: [],
};
const encoded = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('heartbeats read from the broker (anyone with publish rights can send one)', () => {
  it('reads a worker heartbeat', () => {
    expect(parseHeartbeat(encoded(beat))).toEqual(beat);
  });

  it('refuses an id that is not <host>:<pid>:<hex> of the heartbeat itself (such as `all`)', () => {
    for (const id of ['all', 'web-1:43:9f2c01ab', 'other:42:9f2c01ab', 'web-1:42:', 'web-1:42:zz'])
      expect(parseHeartbeat(encoded({ ...beat, id })), id).toBeUndefined();
    expect(parseHeartbeat(encoded({ ...beat, id: 'a:b:42:ff', host: 'a:b' }))).toBeDefined(); // a host with colons
  });

  it('refuses progress nested too deep (without overflowing the stack), and oversized bodies, and never throws', () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = JSON.stringify({ ...beat, running: [{ ...beat.running[0], progress: { deep: 0 } }] }).replace('"deep":0', `"deep":${deep}`);
    expect(() => parseHeartbeat(Buffer.from(body))).not.toThrow();
    expect(parseHeartbeat(Buffer.from(body))).toBeUndefined();
    expect(parseHeartbeat(Buffer.alloc(MAX_HEARTBEAT_BYTES + 1, 32))).toBeUndefined();
    expect(parseHeartbeat(Buffer.from('not json'))).toBeUndefined();
  });

  it('a worker trims its own heartbeat to what readers accept, rather than vanish', () => {
    const running = Array.from({ length: 1_500 }, (_, i) => ({ ...beat.running[0]!, jobId: `j${i}`, progress: { text: 'x'.repeat(5_000) } }));
    const trimmed = reportable({ ...beat, busy: 1_500, concurrency: 2_000, running });
    expect(trimmed.running).toHaveLength(1_000);
    expect(trimmed.running[0]?.progress).toBe('(progress too large to report)');
    expect(parseHeartbeat(encoded(trimmed))?.busy).toBe(1_500);
  });
});

describe('control messages', () => {
  const self = 'web-1:42:9f2c01ab';

  it('are obeyed when addressed to this worker or to all, and refused when their body names another worker', () => {
    expect(checkControl(encodeControl({ command: 'quiet' }, self, undefined).body, {}, undefined, self)).toMatchObject({ ok: true });
    expect(checkControl(encodeControl({ command: 'stop' }, 'all', undefined).body, {}, undefined, self)).toMatchObject({ ok: true });
    expect(checkControl(encodeControl({ command: 'stop' }, 'web-2:7:ab', undefined).body, {}, undefined, self)).toEqual({
      ok: false,
      why: 'addressed to another worker',
    });
  });

  it('pause and resume name the queue', () => {
    expect(checkControl(encodeControl({ command: 'pause', queue: 'mailers' }, 'all', undefined).body, {}, undefined, self)).toMatchObject({
      ok: true,
      message: { command: 'pause', queue: 'mailers', to: 'all' },
    });
    expect(checkControl(encodeControl({ command: 'resume', queue: 'mailers' }, 'all', undefined).body, {}, undefined, self)).toMatchObject({
      ok: true,
      message: { command: 'resume', queue: 'mailers' },
    });
  });

  it('refuses malformed, target-less and stale messages', () => {
    const now = Date.now();
    expect(checkControl(Buffer.from('[]'), {}, undefined, self).ok).toBe(false);
    expect(checkControl(encoded({ command: 'quiet', sentAt: new Date(now).toISOString(), id: 'x' }), {}, undefined, self).ok).toBe(false);
    expect(checkControl(encoded({ command: 'cancel', to: self, sentAt: new Date(now).toISOString(), id: 'x' }), {}, undefined, self).ok).toBe(false); // no jobId
    expect(checkControl(encoded({ command: 'pause', to: self, sentAt: new Date(now).toISOString(), id: 'x' }), {}, undefined, self).ok).toBe(false); // no queue
    expect(
      checkControl(encoded({ command: 'resume', to: self, sentAt: new Date(now).toISOString(), id: 'x', queue: 'q'.repeat(256) }), {}, undefined, self).ok,
    ).toBe(false);
    const old = encodeControl({ command: 'quiet' }, self, undefined).body;
    expect(checkControl(old, {}, undefined, self, now + 61_000).ok).toBe(false);
  });
});

describe('dead-letter reasons', () => {
  it('are counted as own properties, whatever the reason says', () => {
    const counts = countReasons(['__proto__', 'constructor', 'constructor', 'toString']);
    expect(Object.keys(counts).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(counts.constructor).toBe(2);
    expect(JSON.parse(JSON.stringify(counts))).toEqual({ ['__proto__']: 1, constructor: 2, toString: 1 });
  });
});
