import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  AmqpAdapter,
  type AmqpTlsOptions,
  ConnectionRefusedError,
  DeadLetterQueue,
  defaultTopology,
  EnqueueError,
  HandlerWorker,
  verifyTopology,
  Worker,
} from '../../../src/index.js';
import { faultRegistry } from '../../fixtures/fault/jobs.js';
import { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';
import { envelopeFor } from '../../support/envelope.js';
import { runCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';

const brokerUrl = new URL(inject('amqpUrl'));
const broker = `${brokerUrl.hostname}:${brokerUrl.port || 5672}`;
const prefix = uniquePrefix();
const queue = `${prefix}never`;

/** A password no one would type: found anywhere in the output, it leaked. */
const secret = (): string => `S3cr3t-${randomUUID().slice(0, 12)}`;

interface FailureCase {
  what: string;
  secret: string;
  url: string;
  tls?: AmqpTlsOptions;
}

function failure(what: string, build: (password: string) => Omit<FailureCase, 'what' | 'secret'>, password = secret()): FailureCase {
  return { what, secret: password, ...build(password) };
}

/** Connection failures forced against the real broker (or next to it). One line per case. */
const cases: FailureCase[] = [
  failure('a wrong password against the real broker', (pw) => ({ url: `amqp://${brokerUrl.username || 'guest'}:${pw}@${broker}` })),
  failure('an unknown user against the real broker', (pw) => ({ url: `amqp://nobody-${prefix}:${pw}@${broker}` })),
  failure('an unreachable port', (pw) => ({ url: `amqp://warren:${pw}@127.0.0.1:1` })),
  failure('a host that does not resolve', (pw) => ({ url: `amqp://warren:${pw}@no-such-host.invalid:5672` })),
  failure('TLS spoken to the plaintext port (handshake failure)', (pw) => ({ url: `amqps://warren:${pw}@127.0.0.1:${brokerUrl.port || 5672}` })),
  failure('a password with URL-encoded characters', (pw) => ({ url: `amqp://warren:${encodeURIComponent(`${pw}@:/#`)}@127.0.0.1:1` })),
  failure('a TLS key passphrase', (pw) => ({ url: `amqps://warren:x@127.0.0.1:1`, tls: { passphrase: pw } })),
  failure('a secret in the query string', (pw) => ({ url: `amqp://warren:x@127.0.0.1:1/?auth_token=${pw}` })),
  failure('a URL with an invalid port', (pw) => ({ url: `amqp://warren:${pw}@127.0.0.1:99999` })),
];

/** Everything an error can say: class, message, stack, code and its causes. JSON.stringify(error) is `{}`. */
function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = depth < 5 && error.cause !== undefined ? `\ncause: ${describeError(error.cause, depth + 1)}` : '';
  return `${error.name}: ${error.message} ${String(code ?? '')}\n${error.stack ?? ''}${cause}`;
}

/** Event payloads with their errors spelled out. */
function describePayload(payload: unknown): string {
  return JSON.stringify(payload, (_key, value: unknown) => (value instanceof Error ? describeError(value) : value));
}

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
  return { logger, lines };
}

/** The secret as given and in every spelling a URL or a log could carry it. */
function spellings(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), decodeURIComponent(value)])];
}

function expectNoSecret(texts: readonly string[], value: string): void {
  const all = texts.join('\n');
  for (const spelling of spellings(value)) expect(all.includes(spelling), `"${spelling}" found in:\n${all.slice(0, 4000)}`).toBe(false);
}

afterAll(async () => {
  const probe = await BrokerProbe.open(brokerUrl.toString());
  await probe.deleteQueues([queue]);
  await probe.close();
});

describe('credentials never appear in logs, errors or events', { timeout: 60_000 }, () => {
  it.each(cases.map((entry) => [entry.what, entry] as const))('%s: publishing', async (_what, entry) => {
    const { logger, lines } = capture();
    const texts: string[] = [];
    let adapter: AmqpAdapter | undefined;
    try {
      adapter = new AmqpAdapter({ url: entry.url, tls: entry.tls, logger, publishTimeoutMs: 1_500, reconnectMinMs: 100 });
      adapter.events.on('connection:failed', (event) => texts.push(describePayload(event)));
      adapter.events.on('connection:disconnect', (event) => texts.push(describePayload(event)));
      const outcomes = await Promise.allSettled([adapter.enqueue(envelopeFor(queue)), adapter.enqueueAt(envelopeFor(queue), Date.now() + 5_000)]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        texts.push(describeError((outcome as PromiseRejectedResult).reason));
      }
    } catch (error) {
      texts.push(describeError(error)); // refused at construction (an invalid URL)
    } finally {
      await adapter?.close();
    }
    texts.push(...lines);
    expect(texts.join('').length).toBeGreaterThan(0);
    expectNoSecret(texts, entry.secret);
  });

  it.each(cases.map((entry) => [entry.what, entry] as const))('%s: consuming', async (_what, entry) => {
    const { logger, lines } = capture();
    const texts: string[] = [];
    try {
      const worker = new Worker({
        url: entry.url,
        tls: entry.tls,
        logger,
        registry: faultRegistry,
        queues: [queue],
        handleSignals: false,
        reconnectMinMs: 100,
      });
      worker.events.on('connection:failed', (event) => texts.push(describePayload(event)));
      worker.events.on('connection:disconnect', (event) => texts.push(describePayload(event)));
      const started = worker.start().catch((error: unknown) => texts.push(describeError(error)));
      await waitFor(() => texts.length > 0, 'a connection failure event or error', 15_000);
      await worker.stop();
      await started;
    } catch (error) {
      texts.push(describeError(error));
    }
    texts.push(...lines);
    expectNoSecret(texts, entry.secret);
  });

  it.each(cases.map((entry) => [entry.what, entry] as const))('%s: dead-letter and topology commands', async (_what, entry) => {
    const texts: string[] = [];
    await DeadLetterQueue.open({ url: entry.url, tls: entry.tls }).then(
      (queueHandle) => queueHandle.close(),
      (error: unknown) => texts.push(describeError(error)),
    );
    await verifyTopology(entry.url, defaultTopology()).then(
      () => texts.push('verify succeeded'),
      (error: unknown) => texts.push(describeError(error)),
    );
    expect(texts).toHaveLength(2);
    expectNoSecret(texts, entry.secret);
  });

  it('says which failure it was: a refused login, a failed TLS handshake, an unreachable broker', async () => {
    const messages: string[] = [];
    for (const url of [`amqp://guest:${secret()}@${broker}`, `amqps://guest:${secret()}@${broker}`, `amqp://guest:${secret()}@127.0.0.1:1`]) {
      const adapter = new AmqpAdapter({ url, publishTimeoutMs: 1_500, reconnectMinMs: 100 });
      messages.push(
        await adapter.enqueue(envelopeFor(queue)).then(
          () => 'published',
          (error: unknown) => (error as Error).message,
        ),
      );
      await adapter.close();
    }
    expect(messages[0]).toMatch(
      /the broker at amqp:\/\/guest:\*\*\*@\S+ refused the login \(.*ACCESS.REFUSED.*\): check the user name, password and virtual host; the job was not enqueued/,
    );
    expect(messages[1]).toMatch(/the TLS connection to the broker at amqps:\/\/guest:\*\*\*@\S+ failed \(.*\): check the CA/);
    expect(messages[2]).toMatch(/the broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1 is unreachable \(connect ECONNREFUSED/);
  });

  it('a refused login is said at once in one line without a stack: Worker.start() rejects, performLater fails long before its timeout, warren worker exits 1', async () => {
    const url = `amqp://guest:${secret()}@${broker}`;
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const worker = new Worker({ url, logger, registry: faultRegistry, queues: [queue], handleSignals: false, reconnectMinMs: 100 });
    const refused = await worker.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConnectionRefusedError);
    expect((refused as Error).message).toMatch(/the worker cannot start: the broker at amqp:\/\/guest:\*\*\*@\S+ refused the login/);

    const adapter = new AmqpAdapter({ url, logger, publishTimeoutMs: 60_000, reconnectMinMs: 100 });
    const started = Date.now();
    const failed = await adapter.enqueue(envelopeFor(queue)).then(
      () => undefined,
      (error: unknown) => error,
    );
    const waitedMs = Date.now() - started;
    await adapter.close();
    expect(failed).toBeInstanceOf(EnqueueError);
    expect((failed as Error).message).toMatch(/refused the login .*; the job was not enqueued/);
    expect(waitedMs).toBeLessThan(30_000); // not the 60 s publish timeout

    const said = lines.filter((line) => line.includes('refused the login'));
    expect(said.length).toBeGreaterThan(0);
    for (const line of said) {
      expect(line).not.toMatch(/"stack"/);
      expect(JSON.parse(line)).toMatchObject({ level: 50 });
    }

    const cli = await runCli(['worker', '--require', 'test/fixtures/fault/jobs.ts', '--url', url, '--queue', queue], { WARREN_LOG_LEVEL: 'info' });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/refused the login/);
  });

  it('console.log and JSON.stringify of the adapter, a running worker, a handler worker and the dead-letter queue show no password or TLS passphrase', async () => {
    const password = secret();
    const passphrase = `pass-${secret()}`;
    const url = brokerUrl.toString().replace(/\/\/[^@]*@/, `//guest:guest@`);
    const adapter = new AmqpAdapter({ url: `amqps://guest:${password}@127.0.0.1:1`, tls: { passphrase }, reconnectMinMs: 100, publishTimeoutMs: 1_000 });
    const worker = new Worker({ url, registry: faultRegistry, queues: [queue], handleSignals: false });
    await worker.start();
    const handlers = new HandlerWorker({ url: `amqp://guest:${password}@127.0.0.1:1` });
    const dead = await DeadLetterQueue.open({ url });
    try {
      await adapter.enqueue(envelopeFor(queue)).catch(() => undefined); // it tried to connect: internals exist
      const shown = [adapter, worker, handlers, dead].flatMap((value) => [inspect(value, { depth: Infinity, showHidden: true }), JSON.stringify(value)]);
      expect(shown.join('\n')).toContain('guest:***@127.0.0.1:1');
      expect(shown.join('\n')).toContain('guest:***@');
      for (const text of shown) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(passphrase);
        expect(text).not.toContain('guest:guest@');
      }
    } finally {
      await adapter.close();
      await worker.stop();
      await dead.close();
    }
  });

  it('the CLI prints no password when it cannot connect (enqueue and dead list)', async () => {
    const password = secret();
    const texts: string[] = [];
    for (const url of [`amqp://guest:${password}@${broker}`, `amqp://warren:${password}@127.0.0.1:1`]) {
      const enqueue = await runCli(['enqueue', 'FaultLedgerJob', '--args', '["x"]', '--queue', queue, '--url', url, '--timeout', '1500']);
      expect(enqueue.code).not.toBe(0);
      const dead = await runCli(['dead', 'list', '--url', url]);
      expect(dead.code).not.toBe(0);
      texts.push(enqueue.stdout, enqueue.stderr, dead.stdout, dead.stderr);
    }
    expect(texts.join('')).toMatch(/\*\*\*/);
    expectNoSecret(texts, password);
  });
});
