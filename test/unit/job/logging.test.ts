import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configure, executeEnvelope, Job, JobRegistry } from '../../../src/index.js';
import { captureLogger } from '../../support/logger.js';
import { envelopeOf } from '../../support/envelope.js';
import { RecordingAdapter } from '../../support/recording-adapter.js';
import { resetConfiguration } from '../../../src/testing/index.js';

afterEach(() => resetConfiguration());

class SecretError extends Error {}
class GoneError extends Error {}

class AccountJob extends Job {
  static override adapter = new RecordingAdapter();
  static {
    this.retryOn(SecretError, { wait: 0, attempts: 2 });
    this.discardOn(GoneError);
  }
  perform(mode: string, _password: string): void {
    if (mode === 'retry') throw new SecretError('try again');
    if (mode === 'gone') throw new GoneError('account deleted');
    if (mode === 'crash') throw new Error('crash');
  }
}
const registry = new JobRegistry().register(AccountJob);

function byEvent(lines: Array<Record<string, unknown>>, event: string): Record<string, unknown> | undefined {
  return lines.find((line) => line.event === event);
}

describe('job logging', () => {
  it('logs enqueued with job class, id, queue and executions, but no argument values by default', async () => {
    const { logger, lines } = captureLogger();
    configure({ logger });
    const job = await AccountJob.performLater('ok', 'hunter2');
    const line = byEvent(lines, 'enqueued');
    expect(line).toMatchObject({ job_class: 'AccountJob', job_id: job.jobId, queue: 'default', executions: 0, adapter: 'recording' });
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('logs performed with a duration, bound to the execution', async () => {
    const { logger, lines } = captureLogger();
    await executeEnvelope(envelopeOf('AccountJob', ['ok', 'hunter2']), registry, { logger });
    const line = byEvent(lines, 'performed');
    expect(line).toMatchObject({ job_class: 'AccountJob', queue: 'default', executions: 1, msg: 'performed' });
    expect(typeof line?.duration_ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it("keeps the execution's queue in its lines when a retry goes to another queue", async () => {
    class MovingJob extends Job {
      static override adapter = new RecordingAdapter();
      async perform(): Promise<void> {
        await this.retryJob({ queue: 'elsewhere' });
      }
    }
    const { logger, lines } = captureLogger();
    await executeEnvelope(envelopeOf('MovingJob'), new JobRegistry().register(MovingJob), { logger });
    expect(byEvent(lines, 'retried')).toMatchObject({ queue: 'default' });
    expect(byEvent(lines, 'performed')).toMatchObject({ queue: 'default' });
  });

  it('logs retried, discarded and failed', async () => {
    const { logger, lines } = captureLogger();
    await executeEnvelope(envelopeOf('AccountJob', ['retry', 'x']), registry, { logger });
    await executeEnvelope(envelopeOf('AccountJob', ['gone', 'x']), registry, { logger });
    await executeEnvelope(envelopeOf('AccountJob', ['crash', 'x']), registry, { logger }).catch(() => undefined);
    await executeEnvelope(envelopeOf('Unregistered'), registry, { logger }).catch(() => undefined);

    // At debug, the retry carries the whole error.
    expect(byEvent(lines, 'retried')).toMatchObject({ level: 40, wait_ms: 0, exception_executions: { '[SecretError]': 1 }, err: { type: 'SecretError' } });
    expect(byEvent(lines, 'discarded')).toMatchObject({ level: 40, err: { type: 'GoneError' } });
    const failures = lines.filter((line) => line.event === 'failed');
    expect(failures).toEqual([
      expect.objectContaining({ level: 50, job_class: 'AccountJob', err: expect.objectContaining({ message: 'crash' }) }),
      expect.objectContaining({ level: 50, job_class: 'Unregistered', err: expect.objectContaining({ type: 'UnknownJobError' }) }),
    ]);
  });

  it('an expected retry says which error in words, without a stack, below debug (as Rails logs it)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) });
    await executeEnvelope(envelopeOf('AccountJob', ['retry', 'x']), registry, { logger });
    const retried = byEvent(lines, 'retried');
    expect(retried).toMatchObject({ level: 40, error_class: 'SecretError' });
    expect(retried).not.toHaveProperty('err');
    expect(JSON.stringify(retried)).not.toMatch(/stack|\s{4}at /);
  });

  it('logs argument values only when the application opts in, through its redaction', async () => {
    const { logger, lines } = captureLogger();
    configure({
      logger,
      logArguments: true,
      redactArguments: (args) => args.map((arg, index) => (index === 1 ? '[redacted]' : arg)),
    });
    await AccountJob.performLater('ok', 'hunter2');
    expect(byEvent(lines, 'enqueued')?.arguments).toEqual(['ok', '[redacted]']);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('gives perform a child logger bound to the job', async () => {
    const { logger, lines } = captureLogger();
    class ChattyJob extends Job {
      perform(): void {
        this.logger.info('hello from perform');
      }
    }
    await executeEnvelope(envelopeOf('ChattyJob'), new JobRegistry().register(ChattyJob), { logger });
    expect(lines.find((line) => line.msg === 'hello from perform')).toMatchObject({ job_class: 'ChattyJob', executions: 1 });
  });
});
