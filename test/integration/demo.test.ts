import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const prefix = `t-${randomUUID().slice(0, 8)}`;

function demo(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run('node', ['--import', 'tsx', 'examples/demo/main.ts'], {
    env: { ...process.env, WARREN_QUEUE_PREFIX: prefix, WARREN_LOG_LEVEL: 'silent', ...env },
    timeout: 60_000,
  });
}

afterAll(async () => {
  const connection = await amqp.connect(inject('amqpUrl'));
  const channel = await connection.createChannel();
  for (const queue of ['demo_mailers', 'demo_reports', 'demo_payments']) await channel.deleteQueue(`${prefix}_${queue}`);
  await connection.close();
});

it('npm run demo performs its three jobs through RabbitMQ: one delayed, one retried after failing', { timeout: 90_000 }, async () => {
  const { stdout } = await demo({ AMQP_URL: inject('amqpUrl') });
  expect(stdout).toContain('jobs go through the broker');
  expect(stdout).toMatch(/WelcomeEmailJob: welcome mail to ada@example.com \(locale es\)/);
  expect(stdout).toMatch(/ChargeCardJob: attempt 1 .* declined/);
  expect(stdout).toMatch(/ChargeCardJob: charged 12345 cents .* on attempt 2/);
  expect(stdout).toMatch(/ReportJob: report for 2026-11, ran \d+ ms after its scheduled time/);
  expect(stdout).toContain('demo finished: 3 jobs performed.');
});

it('npm run demo says there is no broker and runs the same jobs on the async adapter', { timeout: 90_000 }, async () => {
  const { stdout } = await demo({ AMQP_URL: 'amqp://guest:secret-password@127.0.0.1:1' });
  expect(stdout).toContain('No RabbitMQ at amqp://guest:***@127.0.0.1:1');
  expect(stdout).not.toContain('secret-password');
  expect(stdout).toContain('demo finished: 3 jobs performed.');
});
