import { brokerReplyText, isBrokerChannelError } from './broker-errors.js';
import { openBroker, type BrokerTarget, type BrokerTargetOptions } from './broker.js';
import { ThrowawayChannels } from './channels.js';
import { exchangeDeclaration, queueDeclaration } from '../../topology/declarations.js';
import { statusLines } from './describe.js';
import type { ExchangeSpec, QueueSpec, Topology } from '../../topology/types.js';
import { driftEntry, inspectTopology } from './verify.js';

/**
 * - `created`: was missing, now declared. `unchanged`: already declared as the topology says.
 * - `conflict`: exists with other arguments; left as it is (the message says how to migrate).
 * - `adopted`: a queue no topology file lists, existing with other arguments; used as it is.
 * - `bound`: a binding declared (idempotent: it may have existed).
 * - `failed`: the broker refused; the message has its words.
 */
export type ApplyAction = 'created' | 'unchanged' | 'conflict' | 'adopted' | 'bound' | 'failed';

export interface ApplyEntry {
  kind: 'exchange' | 'queue' | 'binding';
  name: string;
  action: ApplyAction;
  details: string[];
}

export interface ApplyReport {
  /** True when everything is declared as the topology says (adopted queues included). */
  ok: boolean;
  broker: string;
  serverVersion: string | undefined;
  entries: ApplyEntry[];
  /** The report as text for `warren topology apply`. */
  /** The report as text: what was created or needs attention, and counts (every line with `verbose`). */
  format(options?: { verbose?: boolean }): string;
}

export type ApplyTopologyOptions = BrokerTargetOptions;

const APPLY_LABELS: Readonly<Record<ApplyAction, string>> = {
  created: 'created',
  unchanged: 'unchanged',
  conflict: 'CONFLICT',
  adopted: 'AS IS',
  bound: 'bound',
  failed: 'FAILED',
};

async function declare(channels: ThrowawayChannels, spec: ExchangeSpec | QueueSpec, kind: 'exchange' | 'queue'): Promise<ApplyEntry> {
  try {
    if (kind === 'exchange') {
      const declaration = exchangeDeclaration(spec as ExchangeSpec);
      await channels.run((channel) => channel.assertExchange(spec.name, declaration.type, declaration));
    } else {
      await channels.run((channel) => channel.assertQueue(spec.name, queueDeclaration(spec as QueueSpec)));
    }
    return { kind, name: spec.name, action: 'created', details: [] };
  } catch (error) {
    if (!isBrokerChannelError(error)) throw error;
    return { kind, name: spec.name, action: 'failed', details: [`the broker refused the declaration: ${brokerReplyText(error)}`] };
  }
}

function formatApply(report: ApplyReport, files: readonly string[], verbose: boolean): string {
  const count = (action: ApplyAction): number => report.entries.filter((entry) => entry.action === action).length;
  const subject = (entry: ApplyEntry): string => (entry.kind === 'binding' ? `binding ${entry.name}` : `${entry.kind} '${entry.name}'`);
  const summary = [`${count('created')} created`, `${count('unchanged')} unchanged`, `${count('bound')} bindings declared`];
  if (count('adopted') > 0) summary.push(`${count('adopted')} used as is`);
  const problems = count('conflict') + count('failed');
  return [
    `Topology apply: ${report.broker}${report.serverVersion ? ` (${report.serverVersion})` : ''} from ${files.length > 0 ? files.join(', ') : 'the default topology'}`,
    ...report.entries
      .filter((entry) => verbose || (entry.action !== 'unchanged' && entry.action !== 'bound'))
      .flatMap((entry) => statusLines(APPLY_LABELS[entry.action], subject(entry), entry.details)),
    problems === 0
      ? `Applied: ${summary.join(', ')}.`
      : `Applied with problems: ${summary.join(', ')}; ${problems} left as ${problems === 1 ? 'it is' : 'they are'} (see above).`,
  ].join('\n');
}

/**
 * Declares what is missing and reports what exists with other arguments instead of failing
 * on it (nothing is deleted or re-declared into a 406). Idempotent: a second run reports
 * everything unchanged. Exchanges first, then queues, then bindings.
 */
export async function applyTopology(target: BrokerTarget, topology: Topology, options: ApplyTopologyOptions = {}): Promise<ApplyReport> {
  const broker = await openBroker(target, options);
  const channels = new ThrowawayChannels(broker.connection);
  try {
    const entries: ApplyEntry[] = [];
    for (const { spec, inspection } of await inspectTopology(channels, topology)) {
      if (inspection.status === 'missing') {
        entries.push(await declare(channels, spec, inspection.kind));
        continue;
      }
      const drift = driftEntry(inspection, spec, broker.vhost);
      const action: ApplyAction =
        drift.status === 'ok' ? 'unchanged' : drift.status === 'adopted' ? 'adopted' : drift.status === 'differs' ? 'conflict' : 'failed';
      entries.push({ kind: inspection.kind, name: inspection.name, action, details: drift.details });
    }
    for (const binding of topology.bindings) {
      const name = `${binding.exchange} -> ${binding.queue} (routing key '${binding.routingKey}')`;
      try {
        await channels.run((channel) => channel.bindQueue(binding.queue, binding.exchange, binding.routingKey));
        entries.push({ kind: 'binding', name, action: 'bound', details: [] });
      } catch (error) {
        if (!isBrokerChannelError(error)) throw error;
        entries.push({ kind: 'binding', name, action: 'failed', details: [`the broker refused the binding: ${brokerReplyText(error)}`] });
      }
    }
    const report: ApplyReport = {
      ok: entries.every((entry) => entry.action !== 'conflict' && entry.action !== 'failed'),
      broker: broker.description,
      serverVersion: broker.serverVersion,
      entries,
      format: (formatOptions = {}) => formatApply(report, topology.files ?? [], formatOptions.verbose === true),
    };
    return report;
  } finally {
    await channels.close();
    await broker.close();
  }
}
