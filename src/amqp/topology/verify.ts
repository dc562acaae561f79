import { brokerHonoursConsumerTimeout, openBroker, type BrokerTarget, type BrokerTargetOptions } from './broker.js';
import { ThrowawayChannels } from './channels.js';
import { describeAdoptedQueue, describeDifferences, migrationAdvice, statusLines } from './describe.js';
import type { ArgumentDifference } from '../../topology/topology-errors.js';
import { inspectExchange, inspectQueue, type Inspection } from './inspect.js';
import type { DeclarationOrigin, DeclarationSource, ExchangeSpec, QueueSpec, Topology } from '../../topology/types.js';

/**
 * - `ok`: exists as the topology says.
 * - `missing`: not on the broker (`apply` declares it).
 * - `differs`: exists with other arguments; RabbitMQ cannot change them in place (see the message).
 * - `adopted`: a queue no topology file lists, existing with other arguments than warren's
 *   default: warren uses it as it is. Not drift.
 * - `locked`: an exclusive queue of another connection. `unknown`: the broker's answer was not understood.
 */
export type DriftStatus = 'ok' | 'missing' | 'differs' | 'adopted' | 'locked' | 'unknown';

export interface DriftEntry {
  kind: 'exchange' | 'queue';
  name: string;
  status: DriftStatus;
  differences: ArgumentDifference[];
  /** What is wrong and what to do, in plain words, one sentence group per line (empty when ok). */
  details: string[];
  origin: DeclarationOrigin;
  source: DeclarationSource | undefined;
}

export interface DriftReport {
  /** True when nothing is missing, differs, or could not be checked. */
  ok: boolean;
  /** The broker, described without its password. */
  broker: string;
  serverVersion: string | undefined;
  entries: DriftEntry[];
  /** What verify cannot see over AMQP, in plain words. */
  notChecked: string[];
  /** The report as text for `warren topology verify`: what needs attention, and a count of what matches (every line with `verbose`). */
  format(options?: { verbose?: boolean }): string;
}

export type VerifyTopologyOptions = BrokerTargetOptions;

/** Arguments RabbitMQ compares when a queue is declared again (so a difference in them shows up). */
const COMPARED_QUEUE_ARGUMENTS = new Set([
  'x-queue-type',
  'x-max-priority',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-delivery-limit',
  'x-dead-letter-strategy',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
  'x-overflow',
  'x-queue-mode',
  'x-queue-version',
  'x-single-active-consumer',
  'x-queue-master-locator',
  'x-queue-leader-locator',
  'x-quorum-initial-group-size',
  'x-max-age',
  'x-stream-max-segment-size-bytes',
  'x-initial-cluster-size',
]);

export const DRIFT_LABELS: Readonly<Record<DriftStatus, string>> = {
  ok: 'ok',
  missing: 'MISSING',
  differs: 'DIFFERS',
  adopted: 'AS IS',
  locked: 'LOCKED',
  unknown: 'UNKNOWN',
};

/** An inspection as a report entry. Shared with apply. */
export function driftEntry(inspection: Inspection, spec: ExchangeSpec | QueueSpec, vhost?: string): DriftEntry {
  const base = { kind: inspection.kind, name: inspection.name, differences: inspection.differences, origin: spec.origin ?? 'file', source: spec.source };
  switch (inspection.status) {
    case 'matches':
      return { ...base, status: 'ok', details: [] };
    case 'missing':
      return {
        ...base,
        status: 'missing',
        details: ['not declared on the broker; `warren topology apply` declares it (so do workers and producers when they connect).'],
      };
    case 'differs':
      if (inspection.kind === 'queue' && spec.origin === 'default') {
        return { ...base, status: 'adopted', details: [describeAdoptedQueue(inspection, spec as QueueSpec)] };
      }
      return { ...base, status: 'differs', details: [`${describeDifferences(inspection, spec)}.`, migrationAdvice(inspection, spec, vhost)] };
    case 'locked':
      return {
        ...base,
        status: 'locked',
        details: [`an exclusive queue of another connection, which warren cannot check or use: ${inspection.brokerMessage ?? ''}`],
      };
    case 'unknown':
      return {
        ...base,
        status: 'unknown',
        details: [
          ...(inspection.differences.length > 0 ? [`${describeDifferences(inspection, spec)}.`] : []),
          `could not be checked further; the broker said: ${inspection.brokerMessage ?? 'nothing'}`,
        ],
      };
  }
}

/** Inspects every exchange and queue of the topology on throwaway channels of `connection`. */
export async function inspectTopology(
  channels: ThrowawayChannels,
  topology: Topology,
): Promise<Array<{ spec: ExchangeSpec | QueueSpec; inspection: Inspection }>> {
  const results: Array<{ spec: ExchangeSpec | QueueSpec; inspection: Inspection }> = [];
  for (const exchange of topology.exchanges) results.push({ spec: exchange, inspection: await inspectExchange(channels, exchange) });
  for (const queue of topology.queues) results.push({ spec: queue, inspection: await inspectQueue(channels, queue) });
  return results;
}

function notCheckedNotes(topology: Topology, serverVersion: string | undefined): string[] {
  const notes: string[] = [];
  if (topology.bindings.length > 0) {
    notes.push('bindings: AMQP cannot list them; `warren topology apply` (and every worker and producer) declares them, which is idempotent.');
  }
  const withTimeout = topology.queues.filter((queue) => queue.consumerTimeoutMs !== undefined).map((queue) => `'${queue.name}'`);
  const honoured = brokerHonoursConsumerTimeout(serverVersion);
  if (withTimeout.length > 0 && honoured !== true) {
    notes.push(
      `x-consumer-timeout of queue ${withTimeout.join(', ')}: ${
        honoured === false ? `${serverVersion ?? 'this broker'} neither compares nor applies it` : 'brokers before RabbitMQ 3.12 neither compare nor apply it'
      } (the broker-wide consumer_timeout applies).`,
    );
  }
  const uncompared = topology.queues.flatMap((queue) =>
    Object.keys(queue.arguments)
      .filter((key) => !COMPARED_QUEUE_ARGUMENTS.has(key) && key !== 'x-consumer-timeout')
      .map((key) => `${key} of queue '${queue.name}'`),
  );
  if (uncompared.length > 0) notes.push(`${uncompared.join(', ')}: RabbitMQ does not compare these arguments when a queue is declared again.`);
  return notes;
}

function formatDrift(report: DriftReport, files: readonly string[], verbose: boolean): string {
  const from = files.length > 0 ? files.join(', ') : 'the default topology';
  const counts = (['missing', 'differs', 'locked', 'unknown'] as const)
    .map((status) => [status, report.entries.filter((entry) => entry.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status === 'differs' ? 'differing' : status}`);
  const adopted = report.entries.filter((entry) => entry.status === 'adopted').length;
  return [
    `Topology verify: ${report.broker}${report.serverVersion ? ` (${report.serverVersion})` : ''} against ${from}`,
    ...(verbose
      ? []
      : [`${report.entries.filter((entry) => entry.status === 'ok').length} of ${report.entries.length} exchanges and queues match (--verbose lists them)`]),
    ...report.entries
      .filter((entry) => verbose || entry.status !== 'ok')
      .flatMap((entry) => statusLines(DRIFT_LABELS[entry.status], `${entry.kind} '${entry.name}'`, entry.details)),
    ...(report.notChecked.length > 0 ? ['Not checked:', ...report.notChecked.map((note) => `  - ${note}`)] : []),
    report.ok
      ? `No drift: the broker matches the topology${adopted > 0 ? ` (${adopted} queue${adopted === 1 ? '' : 's'} used as ${adopted === 1 ? 'it is' : 'they are'})` : ''}.`
      : `Drift: ${counts.join(', ')}. Run \`warren topology apply\` to declare what is missing; migrate what differs as described above.`,
  ].join('\n');
}

/**
 * Compares the broker with the topology: for each exchange and queue, whether it exists
 * (passive declare) and whether its arguments match (a re-declare with the topology's
 * arguments, repeated with the broker's values until accepted, so every differing argument
 * is named). Each check runs on a throwaway channel; the connection is left as it was.
 * Only re-declares what exists, so it creates nothing (except in the rare case an entity is
 * deleted between the two steps).
 */
export async function verifyTopology(target: BrokerTarget, topology: Topology, options: VerifyTopologyOptions = {}): Promise<DriftReport> {
  const broker = await openBroker(target, options);
  const channels = new ThrowawayChannels(broker.connection);
  try {
    const entries = (await inspectTopology(channels, topology)).map(({ spec, inspection }) => driftEntry(inspection, spec, broker.vhost));
    const report: DriftReport = {
      ok: entries.every((entry) => entry.status === 'ok' || entry.status === 'adopted'),
      broker: broker.description,
      serverVersion: broker.serverVersion,
      entries,
      notChecked: notCheckedNotes(topology, broker.serverVersion),
      format: (formatOptions = {}) => formatDrift(report, topology.files ?? [], formatOptions.verbose === true),
    };
    return report;
  } finally {
    await channels.close();
    await broker.close();
  }
}
