import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TestAdapter, resetConfiguration } from '../../../src/testing/index.js';
import { configure, Job, JobRegistry } from '../../../src/index.js';

class VerboseJob extends Job {
  static override jobName = 'VerboseJob';
  async perform(): Promise<void> {}
}

function capture(): { lines: () => Array<Record<string, unknown>>; logger: Logger } {
  const raw: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (raw.push(chunk.toString()), done()) }));
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

async function signUp(): Promise<void> {
  await VerboseJob.performLater();
}

describe("Rails 7.1's verbose enqueue logs", () => {
  afterEach(() => resetConfiguration());

  it('verboseEnqueueLogs: the enqueued line names the file, line and function that enqueued the job', async () => {
    const { logger, lines } = capture();
    configure({ adapter: new TestAdapter({ registry: new JobRegistry().register(VerboseJob) }), logger, verboseEnqueueLogs: true });
    await signUp();
    const enqueued = lines().find((line) => line.event === 'enqueued');
    expect(enqueued?.enqueued_from).toMatch(/^test\/unit\/job\/verbose-enqueue-logs\.test\.ts:\d+:\d+ in signUp$/);
  });

  it('off by default: no stack is taken', async () => {
    const { logger, lines } = capture();
    configure({ adapter: new TestAdapter({ registry: new JobRegistry().register(VerboseJob) }), logger });
    await signUp();
    const enqueued = lines().find((line) => line.event === 'enqueued');
    expect(enqueued).toBeDefined();
    expect(enqueued).not.toHaveProperty('enqueued_from');
  });
});
