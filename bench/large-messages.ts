// A worker's memory under oversized messages: 4 messages of 50 MB published raw to its queue (a
// hostile or broken producer), which warren dead-letters as too-large (maxMessageBytes 1 MiB).
// amqplib reads each whole message before warren can look at it, so the worker's RSS grows with
// them: this prints the worker process's RSS before, its peak (VmHWM) and after, and the baseline
// of the same worker after 4 small jobs. The broker's max_message_size is what bounds it
// (docker/rabbitmq.conf). Prints figures; not a test.
//
//   npx tsx bench/large-messages.ts          (AMQP_URL, default the local broker)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import amqplib from 'amqplib';
import { DEFAULTS } from '../src/config/defaults.js';

const url = process.env.AMQP_URL ?? DEFAULTS.amqp.url;
const MESSAGES = 4;
const SIZE = 50 * 1024 * 1024;

if (process.argv[2] === '--worker') {
  // The child: a worker on the queue the parent names, reporting when it is ready.
  const { Worker, JobRegistry, Job } = await import('../src/index.js');
  class Noop extends Job {
    static override jobName = 'Noop';
    async perform(): Promise<void> {}
  }
  const worker = new Worker({
    url,
    registry: new JobRegistry().register(Noop),
    queues: [process.argv[3]!],
    deadLetterQueue: process.argv[4]!,
    handleSignals: true,
  });
  await worker.start();
  process.send?.('ready');
} else {
  const suffix = `${process.pid}`;
  const queue = `bench-large-${suffix}`;
  const dead = `bench-large-dead-${suffix}`;
  const child = fork(new URL(import.meta.url).pathname, ['--worker', queue, dead], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, WARREN_LOG_LEVEL: 'silent' },
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  const status = (): { rss: number; peak: number } => {
    const text = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  };
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  const untilDead = async (count: number): Promise<void> => {
    for (;;) {
      const { messageCount } = await channel.checkQueue(dead).catch(() => ({ messageCount: 0 }));
      if (messageCount >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  try {
    const envelope = (label: string, padding: number): Buffer =>
      Buffer.from(
        JSON.stringify({
          job_class: 'Noop',
          job_id: `${label}-${Math.random()}`,
          queue_name: queue,
          arguments: ['x'.repeat(padding)],
          executions: 0,
          enqueued_at: new Date().toISOString(),
          envelope_version: 1,
        }),
      );
    // Baseline: the same worker after a few small jobs, and once the process settled.
    for (let i = 0; i < MESSAGES; i += 1) channel.sendToQueue(queue, envelope('small', 100), { contentType: 'application/json', persistent: true });
    await channel.waitForConfirms();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const before = status();
    const big = envelope('big', SIZE);
    for (let i = 0; i < MESSAGES; i += 1) channel.sendToQueue(queue, big, { contentType: 'application/json', persistent: true });
    await channel.waitForConfirms();
    await untilDead(MESSAGES);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = status();
    console.log(
      `large messages: ${MESSAGES} x ${(big.length / 1e6).toFixed(1)} MB published raw to a warren worker (maxMessageBytes ${DEFAULTS.maxMessageBytes} bytes), all dead-lettered as too-large\n`,
    );
    console.log('| worker process | RSS (MB) |');
    console.log('|---|---|');
    console.log(`| after 4 small jobs (baseline) | ${before.rss.toFixed(0)} |`);
    console.log(`| peak while the large ones were delivered (VmHWM) | ${after.peak.toFixed(0)} |`);
    console.log(`| after, settled | ${after.rss.toFixed(0)} |`);
    console.log(`\npeak / baseline: ${(after.peak / before.rss).toFixed(2)}x. The broker's max_message_size bounds this (docker/rabbitmq.conf).`);
  } finally {
    child.kill('SIGTERM');
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteQueue(dead).catch(() => undefined);
    await connection.close();
  }
}
