import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { ConfigurationError, configure, EnvelopeSigner, HEADERS, type SigningOptions, Worker } from '../../../src/index.js';
import { faultRegistry, LedgerJob, RetriedOnceJob } from '../../fixtures/fault/jobs.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { envelopeFor } from '../../support/envelope.js';
import { killAllChildren, runCli, spawnCli } from '../../support/processes.js';
import { waitFor } from '../../support/wait.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');
const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const signing: SigningOptions = { keys: { k1: KEY } };

/** The documented algorithm (schemas/README.md), written as another language would. */
function sign(body: Buffer, key: Buffer, keyId = 'k1'): Record<string, string> {
  return { 'warren-signature': `hmac-sha256=${createHmac('sha256', key).update(body).digest('hex')}`, 'warren-signature-key': keyId };
}

function body(queue: string, label: string): { bytes: Buffer; jobId: string } {
  const envelope = envelopeFor(queue, { job_class: 'FaultLedgerJob', arguments: [label, 0] });
  return { bytes: Buffer.from(JSON.stringify(envelope)), jobId: envelope.job_id };
}

describe('signed envelopes', { timeout: 60_000 }, () => {
  let scenario: FaultScenario;

  beforeEach(async () => {
    scenario = await FaultScenario.open(url);
  });

  afterEach(async () => {
    await killAllChildren();
    await scenario.cleanup();
    resetConfiguration();
  });

  it('with a key configured, warren signs what it publishes: HMAC-SHA256 of the exact body, hex, with the key id', async () => {
    const queue = scenario.queue('signed');
    const adapter = scenario.producer({ signing });
    await adapter.enqueue(envelopeFor(queue));
    const message = await scenario.probe.get(queue);
    if (!message) throw new Error('no message');
    expect(message.properties.headers).toMatchObject(sign(message.content, KEY));
  });

  it('a worker that requires signatures performs signed jobs (its own retries included) and dead-letters unsigned and tampered ones with a clear reason', async () => {
    const queue = scenario.queue('required');
    const worker = await scenario.startWorker({ queues: [queue], signing });
    configure({ adapter: scenario.producer({ signing }) });
    const signed = await LedgerJob.set({ queue }).performLater('signed by warren', 0);
    // Fails once: the retry the worker publishes is signed too, or it would be dead-lettered.
    const retried = await RetriedOnceJob.set({ queue }).performLater('retried', 0);
    const foreign = body(queue, 'signed elsewhere');
    await scenario.probe.publish(queue, foreign.bytes, { contentType: 'application/json', messageId: foreign.jobId, headers: sign(foreign.bytes, KEY) });

    const cases: Array<{ what: string; bytes: Buffer; headers: Record<string, unknown>; reason: string; message: RegExp }> = [];
    const unsigned = body(queue, 'unsigned');
    cases.push({ what: 'unsigned', bytes: unsigned.bytes, headers: {}, reason: 'unsigned', message: /not signed/ });
    const tampered = body(queue, 'tampered');
    const tamperedHeaders = sign(tampered.bytes, KEY);
    cases.push({
      what: 'tampered',
      bytes: Buffer.from(tampered.bytes.toString().replace('tampered', 'tampereD')),
      headers: tamperedHeaders,
      reason: 'bad-signature',
      message: /does not match the body/,
    });
    const otherKey = body(queue, 'other key');
    cases.push({
      what: 'another secret',
      bytes: otherKey.bytes,
      headers: sign(otherKey.bytes, OTHER_KEY),
      reason: 'bad-signature',
      message: /does not match the body/,
    });
    const unknownKey = body(queue, 'unknown key');
    cases.push({
      what: 'an unknown key id',
      bytes: unknownKey.bytes,
      headers: sign(unknownKey.bytes, KEY, 'k9'),
      reason: 'bad-signature',
      message: /key "k9", which this worker does not have/,
    });
    const malformed = body(queue, 'malformed');
    cases.push({
      what: 'a malformed signature',
      bytes: malformed.bytes,
      headers: { 'warren-signature': 'md5=abc', 'warren-signature-key': 'k1' },
      reason: 'bad-signature',
      message: /64 lower-case hex digits/,
    });
    const noKey = body(queue, 'no key header');
    cases.push({
      what: 'no key id',
      bytes: noKey.bytes,
      headers: { 'warren-signature': sign(noKey.bytes, KEY)['warren-signature']! },
      reason: 'bad-signature',
      message: /no warren-signature-key header/,
    });
    for (const [index, entry] of cases.entries()) {
      await scenario.probe.publish(queue, entry.bytes, { contentType: 'application/json', messageId: `case-${index}`, headers: entry.headers });
    }

    await scenario.waitUntilPerformed([signed.jobId, retried.jobId, foreign.jobId], 30_000);
    const letters = new Map<string, { headers: Record<string, unknown>; content: Buffer }>();
    await waitFor(async () => {
      for (const letter of await scenario.takeDeadLetters())
        letters.set(String(letter.properties.messageId), { headers: letter.properties.headers ?? {}, content: letter.content });
      return letters.size >= cases.length;
    }, 'the dead letters');
    for (const [index, entry] of cases.entries()) {
      const letter = letters.get(`case-${index}`);
      expect(letter, entry.what).toBeDefined();
      expect(letter!.headers[HEADERS.reason], entry.what).toBe(entry.reason);
      expect(letter!.headers[HEADERS.errorClass], entry.what).toBe('SignatureError');
      expect(String(letter!.headers[HEADERS.errorMessage]), entry.what).toMatch(entry.message);
      expect(letter!.content.equals(entry.bytes), entry.what).toBe(true);
    }
    // None of the refused bodies ran, and the worker kept going.
    const performedLabels = scenario
      .ledger()
      .filter((entry) => entry.event === 'performed')
      .map((entry) => entry.label);
    expect(performedLabels.sort()).toEqual(['retried', 'signed by warren', 'signed elsewhere']);
    expect(worker.inFlightCount).toBe(0);
  });

  it('with require: false, unsigned jobs are performed but a signature that does not verify is dead-lettered', async () => {
    const queue = scenario.queue('optional');
    await scenario.startWorker({ queues: [queue], signing: { ...signing, require: false } });
    const plain = body(queue, 'plain');
    await scenario.probe.publish(queue, plain.bytes, { contentType: 'application/json', messageId: plain.jobId });
    const forged = body(queue, 'forged');
    await scenario.probe.publish(queue, forged.bytes, { contentType: 'application/json', messageId: forged.jobId, headers: sign(forged.bytes, OTHER_KEY) });
    await scenario.waitUntilPerformed([plain.jobId]);
    let letters: Awaited<ReturnType<FaultScenario['takeDeadLetters']>> = [];
    await waitFor(async () => (letters = [...letters, ...(await scenario.takeDeadLetters())]).length > 0, 'the forged job dead-lettered');
    expect(letters.map((letter) => [letter.properties.messageId, letter.properties.headers?.[HEADERS.reason]])).toEqual([[forged.jobId, 'bad-signature']]);
  });

  it('with checkQueue, a signed job copied into another queue is dead-lettered there; in its own queue it runs', async () => {
    const home = scenario.queue('home');
    const elsewhere = scenario.queue('elsewhere');
    await scenario.startWorker({ queues: [home, elsewhere], signing: { ...signing, checkQueue: true } });
    const job = body(home, 'copied');
    // The same signed bytes, published into both queues.
    await scenario.probe.publish(elsewhere, job.bytes, { contentType: 'application/json', messageId: job.jobId, headers: sign(job.bytes, KEY) });
    await scenario.probe.publish(home, job.bytes, { contentType: 'application/json', messageId: job.jobId, headers: sign(job.bytes, KEY) });
    await scenario.waitUntilPerformed([job.jobId]);
    let letters: Awaited<ReturnType<FaultScenario['takeDeadLetters']>> = [];
    await waitFor(async () => (letters = [...letters, ...(await scenario.takeDeadLetters())]).length > 0, 'the copy dead-lettered');
    expect(letters).toHaveLength(1);
    const headers = letters[0]!.properties.headers ?? {};
    expect(headers[HEADERS.reason]).toBe('bad-signature');
    expect(headers[HEADERS.originalQueue]).toBe(elsewhere);
    expect(String(headers[HEADERS.errorMessage])).toContain(`signed for queue "${home}" but was delivered from "${elsewhere}"`);
  });

  it('the CLI signs with --signing-key <id=file>, and a CLI worker with --signing-key requires signatures', async () => {
    const queue = scenario.queue('cli');
    const keyFile = join(scenario.ledgerDir, 'signing.key');
    writeFileSync(keyFile, `${KEY.toString('hex')}\n`);
    const keyBytes = Buffer.from(KEY.toString('hex'));
    const enqueued = await runCli([
      'enqueue',
      'FaultLedgerJob',
      '--args',
      '["from the cli", 0]',
      '--queue',
      queue,
      '--create-queue',
      '--signing-key',
      `k1=${keyFile}`,
    ]);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const message = await scenario.probe.get(queue);
    if (!message) throw new Error('no message');
    expect(message.properties.headers).toMatchObject(sign(message.content, keyBytes));
    expect((await runCli(['enqueue', 'FaultLedgerJob', '--queue', queue, '--signing-key', keyFile])).code).toBe(2);

    const worker = spawnCli(
      [
        'worker',
        '--require',
        'test/fixtures/fault/jobs.ts',
        '--queue',
        queue,
        '--dead-letter-queue',
        scenario.deadLetterQueue,
        '--signing-key',
        `k1=${keyFile}`,
      ],
      {
        WARREN_LOG_LEVEL: 'info',
        WARREN_FAULT_LEDGER_DIR: scenario.ledgerDir,
      },
    );
    await worker.waitForStderr('worker ready');
    const signed = body(queue, 'signed for the cli worker');
    await scenario.probe.publish(queue, signed.bytes, { contentType: 'application/json', messageId: signed.jobId, headers: sign(signed.bytes, keyBytes) });
    const unsigned = body(queue, 'unsigned for the cli worker');
    await scenario.probe.publish(queue, unsigned.bytes, { contentType: 'application/json', messageId: unsigned.jobId });
    await scenario.waitUntilPerformed([signed.jobId], 30_000);
    let letters: Awaited<ReturnType<FaultScenario['takeDeadLetters']>> = [];
    await waitFor(async () => (letters = [...letters, ...(await scenario.takeDeadLetters())]).length > 0, 'the unsigned job dead-lettered');
    expect(letters.map((letter) => [letter.properties.messageId, letter.properties.headers?.[HEADERS.reason]])).toEqual([[unsigned.jobId, 'unsigned']]);
    expect(worker.stderr.join('') + worker.stdout.join('')).not.toContain(KEY.toString('hex'));
  });

  it('refuses signing options it cannot use, naming the problem', () => {
    expect(() => new EnvelopeSigner({ keys: {} })).toThrow(/at least one key/);
    expect(() => new EnvelopeSigner({ keys: { k1: 'short' } })).toThrow(/at least 16 bytes/);
    expect(() => new EnvelopeSigner({ keys: { 'bad id!': KEY } })).toThrow(/key id/);
    expect(() => new EnvelopeSigner({ keys: { k1: KEY }, signWith: 'k2' })).toThrow(/signWith names the key "k2"/);
    const rotation = { keys: { old: KEY, new: OTHER_KEY } };
    expect(() => scenario.producer({ signing: rotation })).toThrow(ConfigurationError);
    expect(() => new Worker({ url, registry: faultRegistry, signing: rotation })).toThrow(/no signWith/);
    // Rotation: a worker with both keys verifies either; producers sign with the new one.
    const worker = new EnvelopeSigner({ ...rotation, signWith: 'new' });
    const bytes = Buffer.from('{"job":"x"}');
    expect(worker.check(bytes, sign(bytes, KEY, 'old'))).toEqual({ ok: true, keyId: 'old' });
    expect(worker.check(bytes, worker.headersFor(bytes))).toEqual({ ok: true, keyId: 'new' });
    // No key material in what a caller sees of a failure.
    const failure = worker.check(bytes, sign(bytes, randomBytes(32), 'old'));
    expect(failure.ok).toBe(false);
    if (!failure.ok) expect(failure.error.message).not.toContain(KEY.toString('hex'));
  });
});
