// `npm run demo`: enqueue a few jobs and perform them with a worker on RabbitMQ (AMQP_URL,
// default the local broker). With no broker reachable, the same jobs run on the async adapter.
import net from 'node:net';
import { pino } from 'pino';
import {
  AmqpAdapter,
  AsyncAdapter,
  configure,
  DEFAULTS,
  defaultLogFormat,
  logDestination,
  parseTopology,
  withLocale,
  Worker,
  type QueueAdapter,
} from '../../src/index.js';
import { redactUrl } from '../../src/rabbitmq.js';
import { ChargeCardJob, demoQueues, done, registry, ReportJob, User, WelcomeEmailJob } from './jobs.js';

const url = process.env.AMQP_URL ?? DEFAULTS.amqp.url;
// WARREN_QUEUE_PREFIX namespaces the demo's queues (Active Job's queue_name_prefix); the tests use it.
const queuePrefix = process.env.WARREN_QUEUE_PREFIX;
const queues = demoQueues.map((name) => (queuePrefix ? `${queuePrefix}${DEFAULTS.queueNameDelimiter}${name}` : name));

/**
 * Queues have priorities only where a topology says so (warren's default queue has none, it is
 * faster without): the payments queue declares them, so ChargeCardJob's priority 0 goes first.
 * A real app keeps this in topology/*.yaml and loads it with loadTopology.
 */
const payments = queues.find((name) => name.endsWith('demo_payments'))!;
const topology = parseTopology([
  { file: 'demo.yaml', text: `queues:\n  - name: ${payments}\n    maxPriority: 10\nbindings:\n  - exchange: warren\n    queue: ${payments}\n` },
]);

function brokerAnswers(target: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(target);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || (protocol === 'amqps:' ? 5671 : 5672)) });
    const finish = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(2_000, () => finish(false));
    socket.once('connect', () => finish(true)).once('error', () => finish(false));
  });
}

function waitForPerformed(count: number, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => reject(new Error(`only ${seen} of ${count} jobs performed in ${timeoutMs} ms`)), timeoutMs);
    done.addEventListener('performed', () => {
      if (++seen === count) clearTimeout(timer), resolve();
    });
  });
}

async function enqueueDemoJobs(): Promise<void> {
  const ada = new User(1, 'ada@example.com');
  const mail = await withLocale('es', () => WelcomeEmailJob.performLater(ada));
  console.log(`enqueued WelcomeEmailJob ${mail.jobId} on ${mail.queueName}`);
  const report = await ReportJob.set({ wait: 1_500 }).performLater({ month: '2026-11' });
  console.log(`enqueued ReportJob ${report.jobId}, due ${report.scheduledAt?.toISOString()}`);
  const charge = await ChargeCardJob.performLater(ada, 12_345n);
  console.log(`enqueued ChargeCardJob ${charge.jobId} with priority ${charge.priority}`);
}

async function main(): Promise<void> {
  // The demo prints its own lines; warren's logs show from 'warn' up (WARREN_LOG_LEVEL=info shows them all),
  // as readable lines on a terminal and JSON otherwise (WARREN_LOG_FORMAT=json|pretty chooses).
  const level = process.env.WARREN_LOG_LEVEL ?? 'warn';
  configure({ logger: pino({ name: 'warren', level }, logDestination(defaultLogFormat(process.stdout), 1, level)), queueNamePrefix: queuePrefix });
  const performed = waitForPerformed(3);
  if (await brokerAnswers(url)) {
    console.log(`RabbitMQ answers at ${redactUrl(url)}: jobs go through the broker.`);
    const adapter = new AmqpAdapter({ url, topology });
    configure({ adapter });
    const worker = new Worker({ url, registry, queues, topology, concurrency: 5, adapter, handleSignals: true });
    await worker.start();
    await enqueueDemoJobs();
    await performed;
    await worker.stop();
    await adapter.close();
  } else {
    console.log(
      `No RabbitMQ at ${redactUrl(url)}: running on the in-process async adapter (start one with \`rabbitmq-server -detached\` or \`docker compose up -d rabbitmq\`).`,
    );
    const adapter: QueueAdapter = new AsyncAdapter({ registry });
    configure({ adapter });
    await enqueueDemoJobs();
    await performed;
    await adapter.close();
  }
  console.log('demo finished: 3 jobs performed.');
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
