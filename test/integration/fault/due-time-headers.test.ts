// A due-time header on a message from outside: checked before the worker holds the message or
// sends it round the delay ladder (issue 16). An unsigned message in a worker that requires
// signatures is dead-lettered at once, not parked until its due time; a due time that is not a
// number, or lies beyond the longest delay warren makes, is a dead letter with its reason.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULTS, DELAY_HEADERS, EnqueueError, HEADERS, signatureOf } from '../../../src/index.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { envelopeFor } from '../../support/envelope.js';
import { waitFor } from '../../support/wait.js';

const url = inject('amqpUrl');
const KEY = 'a-test-signing-key-of-32-bytes-or-more';
const YEAR_MS = 365 * 86_400_000;

describe('due-time headers from outside', { timeout: 60_000 }, () => {
  let scenario: FaultScenario;
  beforeEach(async () => (scenario = await FaultScenario.open(url)));
  afterEach(async () => scenario.cleanup());

  const body = (queue: string, label: string): Buffer =>
    Buffer.from(JSON.stringify(envelopeFor(queue, { job_class: 'FaultLedgerJob', job_id: randomUUID(), arguments: [label, 0] })));
  const reasons = async (count: number): Promise<Array<{ reason: unknown; message: unknown; id: unknown }>> => {
    const letters: Array<{ reason: unknown; message: unknown; id: unknown }> = [];
    await waitFor(
      async () => {
        for (const letter of await scenario.takeDeadLetters()) {
          const headers = letter.properties.headers ?? {};
          letters.push({ reason: headers[HEADERS.reason], message: String(headers[HEADERS.errorMessage]), id: letter.properties.messageId });
        }
        return letters.length >= count;
      },
      `${count} dead letters`,
      20_000,
    );
    return letters;
  };

  it('a signature-requiring worker dead-letters an unsigned message due in a year at once, and a tampered one; a signed one due soon is performed', async () => {
    const queue = scenario.queue('signed');
    await scenario.startWorker({ queues: [queue], signing: { keys: { k1: KEY } } });
    const publish = (content: Buffer, id: string, headers: Record<string, unknown>) =>
      scenario.probe.publish(queue, content, { contentType: 'application/json', messageId: id, headers });
    const unsigned = body(queue, 'unsigned');
    await publish(unsigned, 'unsigned', { [DELAY_HEADERS.dueAt]: Date.now() + YEAR_MS });
    const tampered = body(queue, 'tampered');
    await publish(tampered, 'tampered', {
      [DELAY_HEADERS.dueAt]: Date.now() + YEAR_MS,
      [HEADERS.signature]: signatureOf(body(queue, 'other'), KEY),
      [HEADERS.signatureKey]: 'k1',
    });
    const signed = body(queue, 'signed');
    await publish(signed, 'signed', { [DELAY_HEADERS.dueAt]: Date.now() + 300, [HEADERS.signature]: signatureOf(signed, KEY), [HEADERS.signatureKey]: 'k1' });

    const letters = await reasons(2);
    expect(letters.map(({ id, reason }) => `${String(id)}:${String(reason)}`).sort()).toEqual(['tampered:bad-signature', 'unsigned:unsigned']);
    await waitFor(() => scenario.ledger().some((entry) => entry.label === 'signed' && entry.event === 'performed'), 'the signed job');
    // Nothing was parked in the delay ladder.
    for (const name of scenario.ladder.queueNames()) expect(await scenario.probe.messageCountIfAny(name)).toBe(0);
  });

  it('warren itself refuses, at enqueue, a delay beyond the longest it makes', async () => {
    const producer = scenario.producer();
    const failure = await producer
      .enqueueAt(envelopeFor(scenario.queue('too-far')), Date.now() + DEFAULTS.delay.maxDelayMs + 86_400_000)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EnqueueError);
    expect((failure as Error).message).toMatch(/beyond the longest delay warren makes \(795 days, DEFAULTS\.delay\.maxDelayMs\)/);
  });

  it('a due time that is not a number, or beyond the longest delay, is dead-lettered as undecodable with the reason', async () => {
    const queue = scenario.queue('due');
    await scenario.startWorker({ queues: [queue] });
    const publish = (label: string, due: unknown) =>
      scenario.probe.publish(queue, body(queue, label), { contentType: 'application/json', messageId: label, headers: { [DELAY_HEADERS.dueAt]: due } });
    await publish('words', 'tomorrow at noon');
    await publish('far', Date.now() + DEFAULTS.delay.maxDelayMs + 30 * 86_400_000);
    await publish('fine', String(Date.now() + 200));
    const letters = await reasons(2);
    expect(letters.find((letter) => letter.id === 'words')).toMatchObject({
      reason: 'undecodable',
      message: expect.stringMatching(/warren-due-at header is not a time in milliseconds since the epoch: "tomorrow at noon"/),
    });
    expect(letters.find((letter) => letter.id === 'far')).toMatchObject({
      reason: 'undecodable',
      message: expect.stringMatching(/days ahead, beyond the longest delay warren makes/),
    });
    await waitFor(() => scenario.ledger().some((entry) => entry.label === 'fine' && entry.event === 'performed'), 'the job with a good due time');
  });
});
