import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Envelope } from '../../src/index.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { killAllChildren, runCli, spawnCli } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
const env = { AMQP_URL: url };

describe('warren CLI', { timeout: 120_000 }, () => {
  let directory: string;
  let prefix: string;
  let probe: BrokerProbe;
  const queues: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'warren-cli-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  beforeEach(async () => {
    prefix = uniquePrefix();
    probe = await BrokerProbe.open(url);
  });

  afterEach(async () => {
    await killAllChildren();
    await probe.deleteQueues(queues.splice(0));
    await probe.close();
  });

  it('prints help for every command and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['worker', '--help'],
      ['enqueue', '--help'],
      ['topology', '--help'],
      ['topology', 'plan', '--help'],
      ['topology', 'apply', '--help'],
      ['topology', 'verify', '--help'],
    ]) {
      const { code, stdout } = await runCli(args, env);
      expect(code, args.join(' ')).toBe(0);
      expect(stdout).toMatch(/Usage: warren/);
    }
  });

  it('exits 2 on usage errors: unknown option, missing --require, bad --args', async () => {
    expect((await runCli(['worker', '--no-such-flag'], env)).code).toBe(2);
    const missing = await runCli(['worker'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--require');
    const badArgs = await runCli(['enqueue', 'RecordJob', '--args', '{nope'], env);
    expect(badArgs.code).toBe(2);
    expect(badArgs.stderr).toContain('--args is not valid JSON');
    const noRegistry = await runCli(['enqueue', 'RecordJob', '--require', 'test/fixtures/does-not-exist.ts'], env);
    expect(noRegistry.code).toBe(2);
  });

  it('enqueues a job through the registry module and a CLI worker performs it, then stops on SIGTERM with exit 0', async () => {
    const queue = `${prefix}cli`;
    queues.push(queue, `${prefix}dead`);
    const enqueued = await runCli(
      ['enqueue', 'RecordJob', '--args', '["from the cli"]', '--queue', queue, '--create-queue', '--require', 'test/fixtures/jobs.ts'],
      env,
    );
    expect(enqueued.code, enqueued.stderr).toBe(0);
    expect(enqueued.stdout).toMatch(new RegExp(`^enqueued RecordJob [0-9a-f-]{36} on queue ${queue}`));
    expect(await probe.messageCount(queue)).toBe(1);

    const worker = spawnCli(['worker', '--require', 'test/fixtures/jobs.ts', '--queue', queue, '--concurrency', '2'], {
      ...env,
      WARREN_LOG_LEVEL: 'info',
    });
    await waitFor(() => worker.reports.some((r) => r.label === 'from the cli' && r.event === 'performed'), 'the CLI worker to perform the job', 30_000);
    worker.kill('SIGTERM');
    const { code } = await worker.exited;
    expect(code).toBe(0);
    expect(worker.stderr.join('')).toContain('worker ready');
  });

  it('enqueue refuses, before publishing, a job without --require or --queue and a --queue that nothing declares', async () => {
    const noQueue = await runCli(['enqueue', 'ResizeImageJob'], env);
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('pass --queue <name>');
    const typo = `${prefix}imagse`;
    queues.push(typo);
    const refused = await runCli(['enqueue', 'RecordJob', '--queue', typo, '--require', 'test/fixtures/jobs.ts'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`queue "${typo}" does not exist on the broker`);
    expect(refused.stderr).toContain('--create-queue');
    expect(await probe.queueExists(typo)).toBe(false);
  });

  it('enqueue warns when the queue exists but no worker consumes it', async () => {
    const queue = `${prefix}idle`;
    queues.push(queue);
    const created = await runCli(['enqueue', 'Billing::InvoiceJob', '--queue', queue, '--create-queue'], env);
    expect(created.code, created.stderr).toBe(0);
    const { code, stderr } = await runCli(['enqueue', 'Billing::InvoiceJob', '--queue', queue], env);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`queue "${queue}" has no consumer right now`);
    expect(await probe.messageCount(queue)).toBe(2);
  });

  it('a CLI worker without --queue consumes the queues its registered jobs declare, and warns about jobs it leaves', async () => {
    const queue = `${prefix}images`;
    const other = `${prefix}other`;
    queues.push(queue, other, `${prefix}dead`);
    const fixtureEnv = { ...env, WARREN_FIXTURE_QUEUE: queue };
    // The job class declares the queue: no --queue and no --create-queue needed.
    const enqueued = await runCli(['enqueue', 'QueuedRecordJob', '--args', '["own queue"]', '--require', 'test/fixtures/queued-jobs.ts'], fixtureEnv);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    expect(enqueued.stdout).toContain(`on queue ${queue}`);

    const elsewhere = spawnCli(['worker', '--require', 'test/fixtures/queued-jobs.ts', '--queue', other, '--dead-letter-queue', `${prefix}dead`], {
      ...fixtureEnv,
      WARREN_LOG_LEVEL: 'info',
      WARREN_LOG_FORMAT: 'json',
    });
    await waitFor(() => elsewhere.stderr.join('').includes('worker ready'), 'the --queue worker to be ready', 30_000);
    expect(elsewhere.stderr.join('')).toContain(`registered jobs on queues this worker does not consume: queue \\"${queue}\\" (QueuedRecordJob)`);
    elsewhere.kill('SIGTERM');
    expect((await elsewhere.exited).code).toBe(0);
    expect(await probe.messageCount(queue)).toBe(1);

    const worker = spawnCli(['worker', '--require', 'test/fixtures/queued-jobs.ts', '--dead-letter-queue', `${prefix}dead`], {
      ...fixtureEnv,
      WARREN_LOG_LEVEL: 'info',
    });
    await waitFor(() => worker.reports.some((r) => r.label === 'own queue' && r.event === 'performed'), 'the defaulted worker to perform the job', 30_000);
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    expect(worker.stderr.join('')).not.toContain('does not consume');
  });

  it('enqueues by name without a registry module, building the envelope from the flags', async () => {
    const queue = `${prefix}named`;
    queues.push(queue);
    const { code, stderr } = await runCli(
      ['enqueue', 'Billing::InvoiceJob', '--args', '[42, {"draft": true}]', '--queue', queue, '--create-queue', '--priority', '1'],
      env,
    );
    expect(code, stderr).toBe(0);
    const message = await probe.get(queue);
    if (!message) throw new Error('nothing enqueued');
    const envelope = JSON.parse(message.content.toString()) as Envelope;
    expect(envelope).toMatchObject({ job_class: 'Billing::InvoiceJob', queue_name: queue, priority: 1, executions: 0 });
    expect(envelope.arguments[0]).toBe(42);
    expect(message.properties.messageId).toBe(envelope.job_id);
  });

  it('a worker stopped (SIGTERM) while it still waits for an unreachable broker says stopping and stopped, never ready', async () => {
    const worker = spawnCli(['worker', '--require', 'test/fixtures/jobs.ts', '--queue', `${prefix}never`, '--url', 'amqp://app:hunter2@127.0.0.1:1'], {
      WARREN_LOG_LEVEL: 'info',
      WARREN_LOG_FORMAT: 'json',
    });
    await waitFor(() => worker.stderr.join('').includes('is unreachable'), 'a connection attempt to fail', 30_000);
    worker.kill('SIGTERM');
    const { code } = await worker.exited;
    expect(code).toBe(0);
    const messages = worker.stderr
      .join('')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    // (Its registry's jobs use "default", which this worker does not consume: it says so first.)
    expect(messages.filter((msg) => !msg.startsWith('cannot connect') && !msg.startsWith('registered jobs on queues'))).toEqual([
      'stopping: no new jobs; in-flight jobs may finish',
      'worker stopped',
    ]);
    expect(worker.stderr.join('')).not.toContain('hunter2');
  });

  it('exits 1 with a redacted message when the broker cannot be reached', async () => {
    const { code, stderr } = await runCli(['enqueue', 'RecordJob', '--queue', 'default', '--url', 'amqp://app:hunter2@127.0.0.1:1', '--timeout', '1000']);
    expect(code).toBe(1);
    expect(stderr).toContain('amqp://app:***@127.0.0.1:1');
    expect(stderr).not.toContain('hunter2');
  });

  it('topology verify exits 0 when the broker matches and 3 with a plain explanation when it drifted', async () => {
    const queue = `${prefix}drift`;
    queues.push(queue);
    const file = join(directory, `${prefix}topology.yaml`);
    await writeFile(file, `queues:\n  - name: ${queue}\n    maxPriority: 5\n`);
    const applied = await runCli(['topology', 'apply', '--topology', file], env);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await runCli(['topology', 'verify', '--topology', file], env)).code).toBe(0);

    await writeFile(file, `queues:\n  - name: ${queue}\n    maxPriority: 10\n`);
    const drift = await runCli(['topology', 'verify', '--topology', file], env);
    expect(drift.code).toBe(3);
    expect(drift.stdout).toContain('x-max-priority');
  });

  it('topology plan exits 2 naming the file and key of an invalid topology', async () => {
    const file = join(directory, `${prefix}bad.yaml`);
    await writeFile(file, `queues:\n  - name: q\n    maxPriorty: 5\n`);
    const { code, stderr } = await runCli(['topology', 'plan', '--topology', file], env);
    expect(code).toBe(2);
    expect(stderr).toContain(file);
    expect(stderr).toContain('maxPriorty');
  });
});
