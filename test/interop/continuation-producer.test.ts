// A Python service hands a half-done job over to warren (examples/python/continuation.py): pika
// publishes an ImportRowsJob whose envelope carries Rails 8.1's continuation keys. A warren Worker
// resumes it where it stopped: completed steps skipped, the step under way resumed at its cursor,
// resumptions and executions counted as Rails counts them. A malformed continuation is
// dead-lettered with a reason naming the rule, and the job never runs.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HEADERS, Job, JobRegistry, type Step, Worker } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { INTEROP_PACKAGES, ensureDebianPackages } from '../support/interop/toolchains.js';
import { examplesDir } from '../support/paths.js';
import { runOk } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
const script = join(examplesDir, 'python', 'continuation.py');

interface Run {
  /** What the job did, in order: step names, `import from <cursor> resumed=<bool>`, `row <i>`. */
  events: string[];
  arguments: unknown[];
  resumptions: number[];
  executions: number[];
  finished: boolean;
}

/** Every run of ImportRowsJob, by job id. */
const runs = new Map<string, Run>();

class ImportRowsJob extends Job {
  static override jobName = 'ImportRowsJob';

  async perform(file: string, rows: number): Promise<void> {
    const run: Run = runs.get(this.jobId) ?? { events: [], arguments: [file, rows], resumptions: [], executions: [], finished: false };
    runs.set(this.jobId, run);
    await this.step('download', () => {
      run.events.push('download');
    });
    await this.step(
      'import',
      async (step: Step<number>) => {
        run.events.push(`import from ${step.cursor} resumed=${step.resumed}`);
        run.resumptions.push(this.resumptions);
        run.executions.push(this.executions);
        for (let row = step.cursor; row < rows; row += 1) {
          run.events.push(`row ${row}`);
          await step.advance();
        }
      },
      { start: 0 },
    );
    await this.step('finish', () => {
      run.events.push('finish');
    });
    run.finished = true;
  }
}

describe('a Python service hands a half-done job over to warren (continuations)', () => {
  const prefix = uniquePrefix();
  const queue = `${prefix}imports`;
  const deadLetterQueue = `${prefix}dead`;
  const published: string[] = [];
  let worker: Worker;
  let broker: BrokerProbe;

  beforeAll(async () => {
    ensureDebianPackages(INTEROP_PACKAGES.python);
    broker = await BrokerProbe.open(url);
    worker = new Worker({ url, registry: new JobRegistry().register(ImportRowsJob), queues: [queue], deadLetterQueue, handleSignals: false });
    await worker.start(); // declares the queue and binds it to the warren exchange
  }, 900_000); // installing the packages on a fresh machine takes a while

  afterAll(async () => {
    await worker?.stop();
    await broker?.deleteQueues([queue, deadLetterQueue]);
    // Crash checkpoints (warren.checkpoint.<job id>.<executions>) are deleted when a delivery settles; in case one was left.
    for (const jobId of published) await broker?.deleteQueuesContaining(jobId);
    await broker?.close();
  });

  async function publish(...args: string[]): Promise<string> {
    const stdout = await runOk('/usr/bin/python3', [script, '--url', url, '--queue', queue, ...args]);
    const jobId = stdout.trim();
    expect(jobId, 'the script prints the job id').toMatch(/^[0-9a-f-]{36}$/);
    published.push(jobId);
    return jobId;
  }

  it('resumes at the cursor Python sent: download skipped, rows 4..9 imported once, finish run, resumptions 2', async () => {
    const jobId = await publish('--cursor', '4');
    await waitFor(() => runs.get(jobId)?.finished === true, 'the job Python published to finish');
    const run = runs.get(jobId)!;
    expect([...runs.keys()], 'the job performed is the one the script printed').toContain(jobId);
    expect(run.arguments).toEqual(['orders.csv', 10]);
    expect(run.events).toEqual(['import from 4 resumed=true', 'row 4', 'row 5', 'row 6', 'row 7', 'row 8', 'row 9', 'finish']);
    expect(run.events).not.toContain('download');
    for (let row = 0; row < 4; row += 1) expect(run.events).not.toContain(`row ${row}`);
    for (let row = 4; row < 10; row += 1) expect(run.events.filter((event) => event === `row ${row}`)).toHaveLength(1);
    // Rails' rule: the envelope's resumptions (1) plus this resumption; executions: the envelope's 1 plus this run.
    expect(run.resumptions).toEqual([2]);
    expect(run.executions).toEqual([2]);
    expect(await broker.messageCount(deadLetterQueue)).toBe(0);
  });

  it('dead-letters a malformed continuation (current without its cursor) with a reason naming continuation.current; the job never runs', async () => {
    const jobId = await publish('--bad-continuation');
    const letter = await broker.take(deadLetterQueue, 30_000);
    expect(letter.properties.messageId).toBe(jobId);
    const headers = letter.properties.headers ?? {};
    expect(headers[HEADERS.reason]).toBe('undecodable');
    expect(headers[HEADERS.errorClass]).toBe('EnvelopeError');
    expect(String(headers[HEADERS.errorMessage])).toContain('continuation.current');
    expect(headers[HEADERS.originalQueue]).toBe(queue);
    // Kept as Python sent it, so it can be inspected or sent back once fixed.
    expect(JSON.parse(letter.content.toString()).continuation).toEqual({ completed: ['download'], current: ['import'] });
    expect(runs.has(jobId)).toBe(false);
    expect(await broker.messageCount(queue)).toBe(0);
    expect(await broker.messageCount(deadLetterQueue)).toBe(0);
  });
});
