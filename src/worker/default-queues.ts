import { DEFAULTS } from '../config/defaults.js';
import type { JobRegistry } from '../job/registry.js';
import { jobQueues, type Topology } from '../topology/index.js';
import { resolveRoute, routeReachesQueue } from '../topology/routes.js';

/**
 * The queues a worker consumes when it is not told which: the topology's job queues, then
 * every queue a registered job declares (`queueAs('images')`, prefix applied), in that order;
 * `default` when there are none. Like Sidekiq's "every queue of the app", so that a job is
 * never stranded because its worker was started without `--queue`. A job whose queue is a
 * function of its arguments declares none: `unconsumedJobWarnings` names it.
 */
export function defaultWorkerQueues(registry: JobRegistry, topology: Topology, deadLetterQueue: string): string[] {
  const queues = [...jobQueues(topology, { deadLetterQueue })];
  for (const descriptor of registry.descriptors()) {
    if (descriptor.kind !== 'job' || descriptor.queueName === undefined) continue;
    if (descriptor.queueName === deadLetterQueue) continue;
    queues.push(descriptor.queueName);
  }
  return [...new Set(queues.length > 0 ? queues : [DEFAULTS.queueName])];
}

/**
 * Start-up warnings (one line each kind, not one per job) about registered jobs this worker
 * will not perform: their queue is none it consumes (the jobs wait until some worker does),
 * or it depends on the arguments and the worker was not told which queues to consume.
 */
export function unconsumedJobWarnings(registry: JobRegistry, topology: Topology, queues: readonly string[], options: { queuesWereGiven: boolean }): string[] {
  const elsewhere = new Map<string, string[]>();
  const dynamic: string[] = [];
  for (const descriptor of registry.descriptors()) {
    if (descriptor.kind !== 'job') continue;
    const queue = descriptor.queueName;
    if (queue === undefined) {
      // Whoever named the queues has thought about them; a defaulted worker may be missing some.
      if (!options.queuesWereGiven) dynamic.push(descriptor.name);
      continue;
    }
    if (queues.includes(queue)) continue;
    // A topology route may send the class's jobs to another queue (routes.jobs, exchanges): follow it.
    const route = resolveRoute(topology, queue, descriptor.name);
    if (queues.some((consumed) => routeReachesQueue(topology, route, consumed) !== false)) continue;
    elsewhere.set(queue, [...(elsewhere.get(queue) ?? []), descriptor.name]);
  }
  const warnings: string[] = [];
  if (elsewhere.size > 0) {
    const listed = [...elsewhere].map(([queue, jobs]) => `queue "${queue}" (${jobs.join(', ')})`).join('; ');
    warnings.push(
      `registered jobs on queues this worker does not consume: ${listed}; they wait there until a worker consumes them ` +
        `(this one consumes ${queues.map((queue) => `"${queue}"`).join(', ')}; add --queue <name>, or start another worker)`,
    );
  }
  if (dynamic.length > 0) {
    warnings.push(
      `registered jobs that choose their queue from their arguments (queueAs with a function): ${dynamic.join(', ')}; ` +
        `this worker consumes only ${queues.map((queue) => `"${queue}"`).join(', ')}: name every queue they can choose with --queue (or a topology file)`,
    );
  }
  return warnings;
}
