import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { configure, HEADERS, parseTopology, TopologyValidationError, verifyTopology, type WorkerEvents } from '../../../src/index.js';
import { DoomedJob } from '../../fixtures/fault/jobs.js';
import { FaultScenario } from '../../fixtures/fault/scenario.js';
import { waitFor } from '../../support/wait.js';
import { resetConfiguration } from '../../../src/testing/index.js';

const url = inject('amqpUrl');

describe('a dead-letter target that is missing', { timeout: 90_000 }, () => {
  let scenario: FaultScenario;

  beforeEach(async () => {
    scenario = await FaultScenario.open(url);
  });

  afterEach(async () => {
    await scenario.cleanup();
    resetConfiguration();
  });

  it('the dead-letter queue deleted under a running worker: the next dead letter declares it again, with a warning; nothing is dropped', async () => {
    const queue = scenario.queue('doomed');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const worker = await scenario.startWorker({ queues: [queue], logger, deadLetterRetryDelayMs: 300 });
    const deadEvents: Array<WorkerEvents['job:dead']> = [];
    worker.events.on('job:dead', (event) => deadEvents.push(event));
    configure({ adapter: scenario.producer() });
    // A first dead letter: the worker's publishing connection is up and has declared its topology.
    await DoomedJob.set({ queue }).performLater('first');
    await waitFor(() => deadEvents.length === 1, 'the first dead letter');
    await scenario.takeDeadLetters();

    await scenario.probe.deleteQueues([scenario.deadLetterQueue]);
    const job = await DoomedJob.set({ queue }).performLater('after the queue was deleted');
    await waitFor(() => deadEvents.length === 2, 'the second dead letter to be confirmed');
    expect(lines.join('')).toMatch(/the dead-letter queue was missing on the broker \(deleted\?\); declared it again/);
    const [letter] = await scenario.takeDeadLetters();
    expect(letter?.properties.messageId).toBe(job.jobId);
    expect(letter?.properties.headers?.[HEADERS.reason]).toBe('failed');
    expect(await scenario.probe.messageCount(queue)).toBe(0);
    console.info('missing dead-letter queue: 2 confirmed, 0 performed (they always fail), 0 lost, 2 dead letters, the queue declared again once');
  });

  it('a dead-letter route whose exchange was deleted: each failed attempt is a job:requeued event and an error log, the job stays in its queue, and lands once the publisher reconnects', async () => {
    const queue = scenario.queue('routed');
    const exchange = `${scenario.prefix}dead-x`;
    const topology = parseTopology([
      {
        file: 'dead.yaml',
        text:
          `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${scenario.deadLetterQueue}\n` +
          `bindings:\n  - exchange: ${exchange}\n    queue: ${scenario.deadLetterQueue}\n    routingKey: dead\n` +
          `routes:\n  queues:\n    ${scenario.deadLetterQueue}:\n      exchange: ${exchange}\n      routingKey: dead\n`,
      },
    ]);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) }));
    const worker = await scenario.startWorker({ queues: [queue], topology, logger, deadLetterRetryDelayMs: 300, reconnectMinMs: 2_000 });
    const requeued: Array<WorkerEvents['job:requeued']> = [];
    const deadEvents: Array<WorkerEvents['job:dead']> = [];
    worker.events.on('job:requeued', (event) => requeued.push(event));
    worker.events.on('job:dead', (event) => deadEvents.push(event));
    configure({ adapter: scenario.producer() });
    await DoomedJob.set({ queue }).performLater('first');
    await waitFor(() => deadEvents.length === 1, 'the first dead letter');

    await scenario.probe.deleteExchanges([exchange]);
    const job = await DoomedJob.set({ queue }).performLater('nowhere to go');
    await waitFor(() => requeued.length >= 1, 'the dead-letter publish to fail visibly');
    expect(requeued[0]!.messageId).toBe(job.jobId);
    expect(requeued[0]).toMatchObject({ jobId: job.jobId, jobClass: 'FaultDoomedJob' });
    expect(requeued[0]!.error.message).toMatch(/404/);
    expect(requeued[0]!.error.message).toContain(exchange);
    expect(lines.join('')).toMatch(/dead-letter publish failed; the delivery goes back to the queue/);
    // The publisher reconnects and declares its topology (the exchange) again: the job lands.
    await waitFor(() => deadEvents.length === 2, 'the dead letter after the reconnect', 30_000);
    const letters = await scenario.takeDeadLetters();
    expect(letters.map((letter) => letter.properties.messageId)).toContain(job.jobId);
    expect(await scenario.probe.messageCount(queue)).toBe(0);
    await scenario.probe.deleteExchanges([exchange]);
    console.info(`dead-letter exchange deleted: 1 confirmed, 0 lost, ${requeued.length} visible requeues before it landed`);
  });

  it('a topology whose queue names a dead-letter exchange nobody declares is refused before anything touches the broker', () => {
    const queue = scenario.queue('dlx');
    const attempt = () =>
      parseTopology([{ file: 'dlx.yaml', text: `queues:\n  - name: ${queue}\n    deadLetterExchange: ${scenario.prefix}no-such-exchange\n` }]);
    expect(attempt).toThrow(TopologyValidationError);
    expect(attempt).toThrow(/dlx\.yaml/);
    expect(attempt).toThrow(new RegExp(`dead-letter exchange "${scenario.prefix}no-such-exchange" is not declared`));
  });

  it('a dead-letter exchange deleted from the broker after it was declared shows up in `topology verify` as missing', async () => {
    const queue = scenario.queue('ttl');
    const exchange = `${scenario.prefix}dlx`;
    const topology = parseTopology([
      {
        file: 'ttl.yaml',
        text: `exchanges:\n  - name: ${exchange}\nqueues:\n  - name: ${queue}\n    deadLetterExchange: ${exchange}\n`,
      },
    ]);
    const worker = await scenario.startWorker({ queues: [queue], topology });
    expect((await verifyTopology(url, topology)).ok).toBe(true);
    await scenario.probe.deleteExchanges([exchange]);
    const report = await verifyTopology(url, topology);
    expect(report.ok).toBe(false);
    expect(report.entries.find((entry) => entry.name === exchange)).toMatchObject({ kind: 'exchange', status: 'missing' });
    expect(report.format()).toContain(exchange);
    await worker.stop();
  });
});
