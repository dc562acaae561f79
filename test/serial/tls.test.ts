import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, type AmqpTlsOptions, ConfigurationError, configure, type ConnectionEvents, EnqueueError } from '../../src/index.js';
import { AmqpConnection } from '../../src/amqp/connection.js';
import { amqpListenerPorts, connectionNames, connectionsUseTls, startTlsListener } from '../fixtures/fault/broker-admin.js';
import { LedgerJob } from '../fixtures/fault/jobs.js';
import { FaultScenario } from '../fixtures/fault/scenario.js';
import { envelopeFor } from '../support/envelope.js';
import { waitFor } from '../support/wait.js';
import { createTlsMaterial, type TlsMaterial } from '../support/tls-material.js';
import { resetConfiguration } from '../../src/testing/index.js';

/**
 * The TLS listener's port: one the OS says is free, not 5671. A run cut off mid-test leaves its
 * listener on the broker until the broker restarts, and a fixed port would fail every run after it.
 */
let tlsPort = 0;
const plainUrl = new URL(inject('amqpUrl'));
const user = decodeURIComponent(plainUrl.username || 'guest');
const password = decodeURIComponent(plainUrl.password || 'guest');
const tlsUrl = (host = 'localhost', port = tlsPort, pass = password) =>
  `amqps://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${host}:${port}${plainUrl.pathname === '/' ? '' : plainUrl.pathname}`;

let material: TlsMaterial | undefined;
let stopListener: (() => Promise<void>) | undefined;
let portsBefore: number[] = [];
let scenario: FaultScenario | undefined;

beforeAll(async () => {
  portsBefore = await amqpListenerPorts();
  tlsPort = await freePort(portsBefore);
  material = await createTlsMaterial();
  stopListener = await startTlsListener(tlsPort, { ca: material.caFile, cert: material.certFile, key: material.keyFile });
  scenario = await FaultScenario.open(plainUrl.toString());
}, 120_000);

afterAll(async () => {
  await scenario?.cleanup();
  await stopListener?.();
  material?.remove();
  resetConfiguration();
  // The broker is configured as it was found: the same listeners, nothing else.
  expect(await amqpListenerPorts()).toEqual(portsBefore);
});

/** A TCP port on 127.0.0.1 that nothing listens on now and the broker does not use. */
async function freePort(brokerPorts: readonly number[]): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    if (!brokerPorts.includes(port)) return port;
  }
}

interface Attempt {
  error: unknown;
  events: Array<{ event: string; payload: unknown }>;
  log: string;
  connectionName: string;
}

/** Publishes one job through a fresh adapter and returns how that went: the error, the events, the log. */
async function attemptPublish(url: string, tls: AmqpTlsOptions | undefined): Promise<Attempt> {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  const connectionName = `warren tls test ${randomUUID()}`;
  const events: Attempt['events'] = [];
  let error: unknown;
  const adapter = new AmqpAdapter({ url, tls, logger, connectionName, publishTimeoutMs: 2_500, reconnectMinMs: 200 });
  for (const event of ['connection:connect', 'connection:failed'] as const) {
    adapter.events.on(event, (payload: ConnectionEvents[typeof event]) => events.push({ event, payload }));
  }
  try {
    await adapter.enqueue(envelopeFor(scenario!.queue('tls-refused')));
  } catch (caught) {
    error = caught;
  } finally {
    await adapter.close();
  }
  return { error, events, log: lines.join(''), connectionName };
}

function failureText(attempt: Attempt): string {
  const error = attempt.error as Error;
  const payloads = attempt.events.map(({ payload }) =>
    JSON.stringify(payload, (_key, value: unknown) => (value instanceof Error ? `${value.message}\n${value.stack}` : value)),
  );
  return [`${error.message}\n${error.stack}`, ...payloads, attempt.log].join('\n');
}

describe('TLS against a broker listener with a throwaway CA', { timeout: 90_000 }, () => {
  it('a verified amqps connection works: a job is published and performed over TLS, on TLS connections only', async () => {
    const queue = scenario!.queue('tls');
    const tls = { ca: material!.ca };
    const connectionName = `warren tls test ${randomUUID()}`;
    configure({ adapter: scenario!.producer({ url: tlsUrl(), tls, connectionName }) });
    await scenario!.startWorker({ queues: [queue], url: tlsUrl(), tls, connectionName });
    const job = await LedgerJob.set({ queue }).performLater('over TLS', 0);
    await waitFor(() => scenario!.ledger().some((entry) => entry.jobId === job.jobId && entry.event === 'performed'), 'the job to be performed over TLS');
    const tlsFlags = await connectionsUseTls(connectionName);
    // The producer's, the worker's consuming and publishing connections: all TLS.
    expect(tlsFlags.length).toBeGreaterThanOrEqual(2);
    expect(tlsFlags.every(Boolean)).toBe(true);
  });

  it('a CA file path works as well as PEM contents', async () => {
    const attempt = await attemptPublish(tlsUrl(), { ca: material!.caFile });
    expect(attempt.error).toBeUndefined();
    expect(attempt.events.some(({ event }) => event === 'connection:connect')).toBe(true);
  });

  const untrusted: Array<[string, () => AmqpTlsOptions | undefined, RegExp]> = [
    ['a CA that did not sign the broker certificate', () => ({ ca: material!.otherCa }), /self-signed certificate in certificate chain|unable to verify/],
    ["no CA (Node's bundled CAs do not know the broker's)", () => undefined, /self-signed certificate in certificate chain|unable to verify/],
    ['a host name the certificate does not name', () => ({ ca: material!.ca, servername: 'broker.example' }), /does not match certificate's altnames/],
  ];
  it.each(untrusted)('%s: fails clearly, never connects, leaks no password', async (_what, tls, reason) => {
    const secret = `S3cr3t-${randomUUID().slice(0, 8)}`;
    const attempt = await attemptPublish(tlsUrl('localhost', tlsPort, secret), tls());
    expect(attempt.error).toBeInstanceOf(EnqueueError);
    // A failed TLS verification is not retried into the publish timeout: the publish fails at once, saying so.
    expect((attempt.error as Error).message).toMatch(
      new RegExp(`the TLS connection to the broker at amqps://[^:]+:\\*\\*\\*@localhost:${tlsPort} failed .*; the job was not enqueued`),
    );
    expect((attempt.error as Error).message).toMatch(reason);
    expect(attempt.events.some(({ event }) => event === 'connection:connect')).toBe(false);
    expect(attempt.events.some(({ event }) => event === 'connection:failed')).toBe(true);
    expect(await connectionNames()).not.toContain(attempt.connectionName);
    const text = failureText(attempt);
    expect(text).toMatch(reason);
    expect(text).not.toContain(secret);
  });

  it('never falls back to plaintext: TLS options with amqp:// are refused, and amqps:// to the plaintext port fails', async () => {
    expect(() => new AmqpConnection('publish', { url: plainUrl.toString(), tls: { ca: material!.ca } })).toThrow(ConfigurationError);
    expect(() => new AmqpConnection('publish', { url: plainUrl.toString(), tls: { ca: material!.ca } })).toThrow(/never falls back to plaintext/);
    const attempt = await attemptPublish(tlsUrl('localhost', Number(plainUrl.port || 5672)), { ca: material!.ca });
    expect(attempt.error).toBeInstanceOf(EnqueueError);
    expect((attempt.error as Error).message).toMatch(/the TLS connection to the broker at .* failed \(.*wrong version number/);
    expect(attempt.events.some(({ event }) => event === 'connection:connect')).toBe(false);
    expect(await connectionNames()).not.toContain(attempt.connectionName);
  });
});
