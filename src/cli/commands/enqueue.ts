import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import type { Logger } from 'pino';
import { AmqpAdapter } from '../../adapters/amqp/amqp-adapter.js';
import { configure } from '../../config/configuration.js';
import { DEFAULTS } from '../../config/defaults.js';
import { serializeArguments } from '../../envelope/arguments.js';
import { ENVELOPE_VERSION, type Envelope, type EnvelopeEncoding, type JsonValue } from '../../envelope/envelope.js';
import type { SetOptions } from '../../job/set-options.js';
import type { Job } from '../../job/job.js';
import { queueNameFromPart, staticQueueName } from '../../job/queue-name.js';
import type { JobRegistry } from '../../job/registry.js';
import { toRailsTimestamp } from '../../envelope/timestamps.js';
import { loadTopology, defaultTopology, type Topology } from '../../topology/index.js';
import { addConnectionFlags, brokerTarget, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { checkEnqueueQueue } from '../enqueue-queue-check.js';
import { addDelayFlags, delayLadder, type DelayFlags } from '../delay-flags.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { loadRegistry } from '../load-registry.js';
import { collect, integer } from '../parsers.js';
import { addSigningFlags, signingOptions, type SigningFlags } from '../signing-flags.js';

interface EnqueueFlags extends ConnectionFlags, DelayFlags, SigningFlags {
  args: string;
  queue?: string;
  priority?: number;
  wait?: number;
  require?: string;
  topology?: string[];
  encoding: EnvelopeEncoding;
  timeout?: number;
  createQueue?: boolean;
}

function parseArgs(json: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`--args is not valid JSON: ${(error as Error).message}`);
  }
  return Array.isArray(value) ? value : [value];
}

/** An envelope built from the flags alone, for a job this process does not know (a worker elsewhere does). */
function envelopeFor(jobName: string, args: unknown[], flags: EnqueueFlags): Envelope {
  const now = new Date();
  return {
    job_class: jobName,
    job_id: randomUUID(),
    provider_job_id: null,
    queue_name: flags.queue ?? DEFAULTS.queueName, // targetQueue() has refused a missing --queue
    priority: flags.priority ?? null,
    arguments: serializeArguments(args) as JsonValue[],
    executions: 0,
    exception_executions: {},
    locale: DEFAULTS.locale,
    timezone: DEFAULTS.timezone,
    enqueued_at: toRailsTimestamp(now),
    scheduled_at: flags.wait ? toRailsTimestamp(new Date(now.getTime() + flags.wait)) : null,
    envelope_version: ENVELOPE_VERSION,
  };
}

/**
 * The queue the job will be published for, when it can be known before the job is built
 * (undefined: the class picks its queue from the arguments), and whether something declares it.
 */
function targetQueue(
  jobName: string,
  flags: EnqueueFlags,
  registry: JobRegistry | undefined,
  topology: Topology,
): { queue: string | undefined; declared: boolean } {
  const listed = (queue: string): boolean => topology.queues.some((spec) => spec.name === queue);
  if (!registry) {
    if (flags.queue === undefined) {
      throw new UsageError(
        `without --require, warren does not know which queue ${jobName} belongs on: pass --queue <name> (the queue its worker consumes), ` +
          "or --require <module> to use the job class's own queue and settings",
      );
    }
    return { queue: flags.queue, declared: listed(flags.queue) };
  }
  const { jobClass } = registry.resolve(jobName);
  const own = staticQueueName(jobClass);
  const queue = flags.queue === undefined ? own : queueNameFromPart(jobClass, flags.queue);
  if (queue === undefined) return { queue, declared: true };
  const declaredByJobs = registry.descriptors().some((descriptor) => descriptor.queueName === queue);
  return { queue, declared: listed(queue) || declaredByJobs };
}

async function enqueue(jobName: string, flags: EnqueueFlags, logger: Logger): Promise<number> {
  const args = parseArgs(flags.args);
  const registry = flags.require ? await loadRegistry(flags.require) : undefined;
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  const signing = signingOptions(flags);
  const target = targetQueue(jobName, flags, registry, topology);
  if (target.queue !== undefined) {
    const warning = await checkEnqueueQueue({
      queue: target.queue,
      declared: target.declared,
      createQueue: flags.createQueue === true,
      ...brokerTarget(flags),
    });
    if (warning) process.stderr.write(`${warning}\n`);
  }
  const adapter = new AmqpAdapter({
    ...connectionOptions(flags),
    topology,
    encoding: flags.encoding,
    delays: delayLadder(flags),
    logger,
    ...(flags.timeout !== undefined && { publishTimeoutMs: flags.timeout }),
    ...(signing && { signing }),
  });
  try {
    let jobId: string;
    let queue: string;
    if (registry) {
      const { jobClass } = registry.resolve(jobName);
      configure({ adapter });
      const setOptions: SetOptions = {
        ...(flags.queue !== undefined && { queue: flags.queue }),
        ...(flags.priority !== undefined && { priority: flags.priority }),
        ...(flags.wait !== undefined && { wait: flags.wait }),
      };
      // The registry holds concrete Job subclasses; their static `set` is Job.set.
      const configurable = jobClass as unknown as { set(options: SetOptions): { performLater(...a: unknown[]): Promise<Job> } };
      const job = await configurable.set(setOptions).performLater(...args);
      jobId = job.jobId;
      queue = job.queueName;
    } else {
      const envelope = envelopeFor(jobName, args, flags);
      if (flags.wait) await adapter.enqueueAt(envelope, Date.now() + flags.wait);
      else await adapter.enqueue(envelope);
      jobId = envelope.job_id;
      queue = envelope.queue_name;
    }
    process.stdout.write(`enqueued ${jobName} ${jobId} on queue ${queue} (confirmed by the broker)\n`);
    return EXIT.ok;
  } finally {
    await adapter.close();
  }
}

export function enqueueCommand(logger: Logger, setExit: (code: number) => void): Command {
  const command = new Command('enqueue')
    .description('enqueue one job and wait for the broker to confirm it')
    .argument('<job>', 'job name (as registered; without --require it is written into the envelope as given)')
    .option('--args <json>', 'perform arguments as a JSON array (a single value is one argument)', '[]')
    .option('--queue <name>', 'queue (default: the job class queue; required without --require)')
    .option('--priority <n>', 'priority, lower is more important', integer('--priority'))
    .option('--wait <ms>', 'run no earlier than this many milliseconds from now', integer('--wait'))
    .option('--require <module>', 'module exporting the JobRegistry (default export or `registry`) for class settings and callbacks')
    .option('--topology <file>', 'topology file (YAML or JSON); repeatable', collect)
    .option('--create-queue', 'enqueue even when the queue does not exist yet and no topology file or registered job declares it (it is created)')
    .option(
      '--timeout <ms>',
      `give up when the broker has not confirmed within this time (default: ${DEFAULTS.amqp.publishTimeoutMs})`,
      integer('--timeout', 1),
    )
    .addOption(new Option('--encoding <encoding>', 'body encoding').choices(['json', 'protobuf']).default(DEFAULTS.encoding));
  addConnectionFlags(command);
  addDelayFlags(command);
  addSigningFlags(command, 'producer');
  return command.action(async (jobName: string, flags: EnqueueFlags) => {
    setExit(await enqueue(jobName, flags, logger));
  });
}
