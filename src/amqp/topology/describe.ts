import type { ArgumentDifference, DeclarationConflict } from '../../topology/topology-errors.js';
import type { Inspection } from './inspect.js';
import type { ExchangeSpec, QueueSpec } from '../../topology/types.js';

/** Arguments a policy can also set (as `message-ttl`, `dead-letter-exchange`...), so they can change without re-declaring. */
const POLICY_ARGUMENTS = new Set([
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-max-length',
  'x-max-length-bytes',
  'x-overflow',
  'x-expires',
  'x-delivery-limit',
  'x-queue-mode',
]);

function brokerValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** "in topology/app.yaml", "by warren's default", "in the topology". */
export function whereDeclared(spec: ExchangeSpec | QueueSpec): string {
  if (spec.origin === 'default') return "by warren's default";
  if (spec.origin === 'generated') return 'in the topology warren generates';
  return spec.source ? `in ${spec.source.file}` : 'in the topology';
}

/** One difference; `subject` is "queue 'mailers'" for the first of a list and "it" for the rest. */
function describeOne(subject: string, difference: ArgumentDifference, where: string): string {
  const { argument, expected, actual } = difference;
  if (difference.refusedByBroker) {
    return `${subject} refuses ${argument} ${brokerValue(expected)} (set ${where}): ${difference.refusedByBroker}`;
  }
  if (argument === 'x-queue-type') {
    return `${subject} is a ${String(actual ?? 'classic')} queue on the broker but ${String(expected ?? 'classic')} ${where}`;
  }
  if (argument === 'type') return `${subject} is a ${String(actual)} exchange on the broker but ${String(expected)} ${where}`;
  if (argument === 'durable' || argument === 'auto_delete' || argument === 'internal') {
    const word = argument === 'auto_delete' ? 'auto-delete' : argument;
    const state = (value: unknown): string => (value === true ? word : `not ${word}`);
    return `${subject} is ${state(actual)} on the broker but ${state(expected)} ${where}`;
  }
  const onBroker = actual === undefined ? `has no ${argument} on the broker` : `has ${argument} ${brokerValue(actual)} on the broker`;
  const inTopology = expected === undefined ? `not set ${where}` : `${brokerValue(expected)} ${where}`;
  return `${subject} ${onBroker} but ${inTopology}`;
}

/** Each difference in plain words, joined: "queue 'mailers' has x-max-priority 5 on the broker but 10 in topology/app.yaml". */
export function describeDifferences(inspection: Inspection, spec: ExchangeSpec | QueueSpec): string {
  const where = whereDeclared(spec);
  return inspection.differences
    .map((difference, index) => {
      const subject = index === 0 ? `${inspection.kind} '${inspection.name}'` : 'it';
      const text = describeOne(subject, difference, where);
      const wantsPriority = 'maxPriority' in spec && spec.maxPriority !== undefined;
      return difference.argument === 'x-queue-type' && difference.actual === 'quorum' && wantsPriority
        ? `${text} (quorum queues do not take the x-max-priority it sets)`
        : text;
    })
    .join('; ');
}

/** How to get from the broker's declaration to the topology's. */
export function migrationAdvice(inspection: Inspection, spec: ExchangeSpec | QueueSpec, vhost?: string): string {
  // rabbitmqctl works on the "/" virtual host unless told: name the URL's.
  const onVhost = vhost !== undefined && vhost !== '/' ? ` -p ${/^[\w./-]+$/.test(vhost) ? vhost : `'${vhost.replace(/'/g, "'\\''")}'`}` : '';
  const file = spec.source?.file;
  const matchFile = file ? `, or change ${file} to match the broker` : '';
  if (inspection.kind === 'exchange') {
    return (
      'RabbitMQ cannot change an exchange in place: delete the exchange (its bindings go with it) and run ' +
      `\`warren topology apply\` to declare it and its bindings again${matchFile}.`
    );
  }
  const parts = [
    `RabbitMQ cannot change queue arguments in place: declare a new queue under another name and move consumers to it, ` +
      `or delete the queue when it is empty (\`rabbitmqctl delete_queue${onVhost} ${inspection.name} --if-empty\`) and run ` +
      `\`warren topology apply\`${matchFile}.`,
  ];
  if (inspection.differences.some((difference) => POLICY_ARGUMENTS.has(difference.argument))) {
    parts.push(
      `TTL, dead-letter and length settings can come from a policy instead (\`rabbitmqctl set_policy${onVhost}\`), which changes ` +
        'without re-declaring; queue arguments take precedence over policies, so the queue needs declaring once without them.',
    );
  }
  return parts.join(' ');
}

/** A queue warren would declare by default that exists with other arguments: used as it is. */
export function describeAdoptedQueue(inspection: Inspection, spec: QueueSpec): string {
  const priorityDifference = inspection.differences.find((difference) => difference.argument === 'x-max-priority');
  const maxPriority = priorityDifference ? priorityDifference.actual : spec.maxPriority;
  const priorities =
    typeof maxPriority === 'number' ? ` (its x-max-priority ${maxPriority} orders its jobs by priority)` : ' (job priorities are ignored on it)';
  const version = inspection.differences.some((difference) => difference.argument === 'x-queue-version')
    ? ' A policy can move a classic queue to version 2 in place (`rabbitmqctl set_policy` with {"queue-version":2}); docs/rabbitmq.md, "Migrating".'
    : '';
  return (
    `${describeDifferences(inspection, spec)}. The queue is not in any topology file, so warren uses it as it is${priorities}; ` +
    `declare it in a topology file as it is on the broker to make this explicit.${version}`
  );
}

export function conflictOf(inspection: Inspection, spec: ExchangeSpec | QueueSpec): DeclarationConflict {
  const what =
    inspection.status === 'differs'
      ? `${describeDifferences(inspection, spec)}. ${migrationAdvice(inspection, spec)}`
      : `${inspection.kind} '${inspection.name}' could not be checked: ${inspection.brokerMessage ?? inspection.status}`;
  return { kind: inspection.kind, name: inspection.name, differences: inspection.differences, description: what };
}

/** One report line, with its details indented under it: `  DIFFERS   queue 'mailers'` then the explanation. */
export function statusLines(label: string, subject: string, details: readonly string[]): string[] {
  const width = 10;
  return [`  ${label.padEnd(width)} ${subject}`, ...details.map((detail) => `  ${' '.repeat(width)} ${detail}`)];
}
