import { DEFAULTS } from '../config/defaults.js';
import { FIRST_CLASS_ARGUMENTS, type TopologyIssue } from './topology-errors.js';
import type { BindingSpec, DeclarationSource, ExchangeSpec, QueueSpec, Topology } from './types.js';

/** RabbitMQ's upper bound for `x-max-priority`. */
export const MAX_PRIORITY_LIMIT = 255;
/** The largest `x-message-ttl` RabbitMQ accepts (measured on 3.10: ten years; above it, `value_too_large`). */
export const MAX_MESSAGE_TTL_MS = 315_360_000_000;
/** Exchanges every vhost has; they can be bound and routed to without being declared. */
export const BUILTIN_EXCHANGES: ReadonlySet<string> = new Set(['amq.direct', 'amq.topic', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.rabbitmq.trace']);

type Named = { name: string; source?: DeclarationSource | undefined };

function locate(kind: 'exchanges' | 'queues', spec: Named, key?: string): Pick<TopologyIssue, 'file' | 'path'> {
  const base = spec.source?.path ?? `${kind}[${JSON.stringify(spec.name)}]`;
  return { file: spec.source?.file, path: key ? `${base}.${key}` : base };
}

function locateBinding(binding: BindingSpec, key?: string): Pick<TopologyIssue, 'file' | 'path'> {
  const base = binding.source?.path ?? `bindings[${JSON.stringify(`${binding.exchange} -> ${binding.queue}`)}]`;
  return { file: binding.source?.file, path: key ? `${base}.${key}` : base };
}

function describeSource(source: DeclarationSource | undefined): string {
  return source ? `${source.file} (${source.path})` : 'code';
}

function isWholeNumber(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function nameIssues(kind: 'exchanges' | 'queues', spec: Named): TopologyIssue[] {
  const word = kind === 'exchanges' ? 'exchange' : 'queue';
  if (spec.name.length === 0) return [{ ...locate(kind, spec, 'name'), value: spec.name, message: `a ${word} needs a name` }];
  if (Buffer.byteLength(spec.name) > 255) {
    return [{ ...locate(kind, spec, 'name'), value: spec.name, message: `${word} names are limited to 255 bytes` }];
  }
  if (spec.name.startsWith('amq.')) {
    return [
      {
        ...locate(kind, spec, 'name'),
        value: spec.name,
        message: `names starting with "amq." are reserved by RabbitMQ; choose another ${word} name`,
      },
    ];
  }
  return [];
}

function duplicateIssues(kind: 'exchanges' | 'queues', specs: readonly Named[]): TopologyIssue[] {
  const word = kind === 'exchanges' ? 'exchange' : 'queue';
  const first = new Map<string, Named>();
  const issues: TopologyIssue[] = [];
  for (const spec of specs) {
    const earlier = first.get(spec.name);
    if (!earlier) {
      first.set(spec.name, spec);
      continue;
    }
    issues.push({
      ...locate(kind, spec, 'name'),
      value: spec.name,
      message: `${word} "${spec.name}" is declared twice: here and in ${describeSource(earlier.source)}; keep one declaration`,
    });
  }
  return issues;
}

function exchangeIssues(exchange: ExchangeSpec, known: ReadonlySet<string>): TopologyIssue[] {
  const issues = nameIssues('exchanges', exchange);
  const alternate = exchange.arguments['alternate-exchange'];
  if (typeof alternate === 'string' && !known.has(alternate)) {
    issues.push({
      ...locate('exchanges', exchange, 'arguments.alternate-exchange'),
      value: alternate,
      message: `alternate exchange "${alternate}" is not declared in any topology file; declare it under exchanges`,
    });
  }
  return issues;
}

/** Classic-queue arguments RabbitMQ refuses on a quorum queue (406, measured on 3.10). */
const CLASSIC_ONLY_ARGUMENTS: ReadonlySet<string> = new Set(['x-queue-version', 'x-queue-mode']);

/** Why a queue has its type, for messages: its own `type`, or the topology's `queueType`. */
function typeReason(queue: QueueSpec): string {
  const from = queue.typeFrom;
  if (!from) return `queue "${queue.name}" is a ${queue.type} queue`;
  const where = from.file ? ` (${from.file})` : '';
  return `queue "${queue.name}" has no type of its own, so it is a ${queue.type} queue because of queueType: ${queue.type}${where}`;
}

function queueArgumentIssues(queue: QueueSpec): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  for (const [key, value] of Object.entries(queue.arguments)) {
    const where = locate('queues', queue, `arguments.${key}`);
    const ownKey = FIRST_CLASS_ARGUMENTS[key];
    if (ownKey) {
      issues.push({ ...where, value, message: `set ${key} with the "${ownKey}" key of the queue, not under arguments` });
    } else if (queue.type === 'quorum' && CLASSIC_ONLY_ARGUMENTS.has(key)) {
      issues.push({
        ...where,
        value,
        message: `${typeReason(queue)}, and RabbitMQ refuses ${key} on quorum queues (PRECONDITION_FAILED); remove it, or give the queue type: classic`,
      });
    } else if (!key.startsWith('x-')) {
      issues.push({ ...where, value, message: `queue arguments are x-arguments such as x-max-length; "${key}" does not start with "x-"` });
    }
  }
  return issues;
}

function queueIssues(queue: QueueSpec, knownExchanges: ReadonlySet<string>): TopologyIssue[] {
  const issues = nameIssues('queues', queue);
  const at = (key: string): Pick<TopologyIssue, 'file' | 'path'> => locate('queues', queue, key);
  const quorum = queue.type === 'quorum';
  if (queue.maxPriority !== undefined) {
    if (quorum) {
      issues.push({
        ...at('maxPriority'),
        value: queue.maxPriority,
        message:
          `${typeReason(queue)}, and RabbitMQ 3.x refuses x-max-priority on quorum queues ` +
          '(PRECONDITION_FAILED; 4.x quorum queues have fixed priorities of their own). ' +
          (queue.typeFrom
            ? 'Give this queue type: classic to keep its priorities (queueType only sets the type of queues without one), or remove maxPriority'
            : 'Use type: classic for a queue whose jobs have priorities, or remove maxPriority'),
      });
    } else if (!isWholeNumber(queue.maxPriority, 1, MAX_PRIORITY_LIMIT)) {
      issues.push({
        ...at('maxPriority'),
        value: queue.maxPriority,
        message: `must be a whole number from 1 to ${MAX_PRIORITY_LIMIT} (RabbitMQ's limit; 1 to 10 is recommended, as each level costs memory and CPU)`,
      });
    }
  }
  if (queue.deliveryLimit !== undefined) {
    if (!quorum) {
      issues.push({
        ...at('deliveryLimit'),
        value: queue.deliveryLimit,
        message:
          'deliveryLimit (x-delivery-limit) only applies to quorum queues, and RabbitMQ refuses it on classic queues' +
          (queue.typeFrom ? ` (${typeReason(queue)})` : '') +
          '. Use type: quorum, or remove deliveryLimit',
      });
    } else if (!isWholeNumber(queue.deliveryLimit, 0, Number.MAX_SAFE_INTEGER)) {
      issues.push({ ...at('deliveryLimit'), value: queue.deliveryLimit, message: 'must be a whole number, 0 or more' });
    } else if (queue.deadLetterExchange === undefined && queue.origin !== 'generated') {
      // Measured on 3.10: over the limit, a quorum queue without a dead-letter exchange drops the message, silently.
      // (warren's own generated queues are exempt: the delay ladder's due queue drops on purpose, see ladder-topology.ts.)
      const dead = DEFAULTS.amqp.deadLetterQueue;
      issues.push({
        ...at('deliveryLimit'),
        value: queue.deliveryLimit,
        message:
          `quorum queue "${queue.name}" has a deliveryLimit but no deadLetterExchange, so RabbitMQ would drop a job redelivered more often, ` +
          `without a trace. Add deadLetterExchange: "" and deadLetterRoutingKey: ${dead} to send such jobs to warren's dead-letter queue ` +
          `(warren dead list shows them with reason delivery-limit; declare ${dead} in the topology so it exists before the first one), ` +
          'or a deadLetterExchange of your own',
      });
    }
  }
  if (quorum && !queue.durable) {
    issues.push({
      ...at('durable'),
      value: queue.durable,
      message:
        (queue.typeFrom ? `${typeReason(queue)}, and quorum queues` : 'quorum queues') +
        ' are always durable: remove durable: false, or use type: classic for a non-durable queue',
    });
  }
  if (queue.messageTtlMs !== undefined && !isWholeNumber(queue.messageTtlMs, 0, MAX_MESSAGE_TTL_MS)) {
    issues.push({
      ...at('messageTtl'),
      value: queue.messageTtlMs,
      message: `must be a whole number of milliseconds from 0 to ${MAX_MESSAGE_TTL_MS} (ten years, RabbitMQ's limit)`,
    });
  }
  if (queue.consumerTimeoutMs !== undefined && !isWholeNumber(queue.consumerTimeoutMs, 1, Number.MAX_SAFE_INTEGER)) {
    issues.push({ ...at('consumerTimeout'), value: queue.consumerTimeoutMs, message: 'must be a whole number of milliseconds, 1 or more' });
  }
  if (queue.deadLetterExchange !== undefined && queue.deadLetterExchange !== '' && !knownExchanges.has(queue.deadLetterExchange)) {
    issues.push({
      ...at('deadLetterExchange'),
      value: queue.deadLetterExchange,
      message: `dead-letter exchange "${queue.deadLetterExchange}" is not declared in any topology file, so dead-lettered jobs would be dropped; declare it under exchanges`,
    });
  }
  if (queue.deadLetterRoutingKey !== undefined && queue.deadLetterExchange === undefined) {
    issues.push({
      ...at('deadLetterRoutingKey'),
      value: queue.deadLetterRoutingKey,
      message: 'a dead-letter routing key needs a deadLetterExchange (RabbitMQ refuses one without the other)',
    });
  }
  issues.push(...queueArgumentIssues(queue));
  return issues;
}

function bindingIssues(topology: Topology, knownExchanges: ReadonlySet<string>, queues: ReadonlySet<string>): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const seen = new Map<string, BindingSpec>();
  for (const binding of topology.bindings) {
    if (binding.exchange === '') {
      issues.push({
        ...locateBinding(binding, 'exchange'),
        value: binding.exchange,
        message: 'the AMQP default exchange ("") cannot be bound; it already delivers to the queue named by the routing key',
      });
    } else if (!knownExchanges.has(binding.exchange)) {
      issues.push({
        ...locateBinding(binding, 'exchange'),
        value: binding.exchange,
        message: `binding refers to unknown exchange "${binding.exchange}"; declare it under exchanges`,
      });
    }
    if (!queues.has(binding.queue)) {
      issues.push({
        ...locateBinding(binding, 'queue'),
        value: binding.queue,
        message: `binding refers to unknown queue "${binding.queue}"; declare it under queues`,
      });
    }
    const key = JSON.stringify([binding.exchange, binding.queue, binding.routingKey]);
    const earlier = seen.get(key);
    if (earlier) {
      issues.push({
        ...locateBinding(binding),
        value: { exchange: binding.exchange, queue: binding.queue, routingKey: binding.routingKey },
        message: `this binding is declared twice: here and in ${describeSource(earlier.source)}; keep one`,
      });
    } else {
      seen.set(key, binding);
    }
  }
  return issues;
}

function routeIssues(topology: Topology, knownExchanges: ReadonlySet<string>, queues: ReadonlySet<string>): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const routes = [
    ...Object.entries(topology.routes.jobs).map(([name, route]) => ({ section: 'jobs', name, route })),
    ...Object.entries(topology.routes.queues).map(([name, route]) => ({ section: 'queues', name, route })),
  ];
  for (const { section, name, route } of routes) {
    const base = route.source?.path ?? `routes.${section}[${JSON.stringify(name)}]`;
    const file = route.source?.file;
    // "" is the AMQP default exchange: it delivers straight to the queue named by the routing key.
    if (route.exchange !== '' && !knownExchanges.has(route.exchange)) {
      issues.push({
        file,
        path: `${base}.exchange`,
        value: route.exchange,
        message: `route refers to unknown exchange "${route.exchange}"; declare it under exchanges`,
      });
    }
    if (section === 'queues' && !queues.has(name)) {
      issues.push({
        file,
        path: base,
        value: name,
        message: `route for unknown queue "${name}"; declare the queue under queues (queues used only by name are routed to the default exchange without a route)`,
      });
    }
  }
  return issues;
}

/**
 * Every problem in a topology, in plain words (empty when valid). Checks what the schema
 * cannot: ranges, queue-type rules, duplicate names, and references between declarations.
 * Topologies built in code get the same checks as files.
 */
export function validateTopology(topology: Topology): TopologyIssue[] {
  const declaredExchanges = new Set(topology.exchanges.map((exchange) => exchange.name));
  const knownExchanges = new Set([...declaredExchanges, ...BUILTIN_EXCHANGES]);
  const queues = new Set(topology.queues.map((queue) => queue.name));
  const issues: TopologyIssue[] = [
    ...duplicateIssues('exchanges', topology.exchanges),
    ...duplicateIssues('queues', topology.queues),
    ...topology.exchanges.flatMap((exchange) => exchangeIssues(exchange, knownExchanges)),
    ...topology.queues.flatMap((queue) => queueIssues(queue, knownExchanges)),
    ...bindingIssues(topology, knownExchanges, queues),
    ...routeIssues(topology, knownExchanges, queues),
  ];
  if (!declaredExchanges.has(topology.defaultExchange)) {
    issues.push({
      file: undefined,
      path: 'defaultExchange',
      value: topology.defaultExchange,
      message: `the default exchange "${topology.defaultExchange}" is not declared; declare it under exchanges`,
    });
  }
  return issues;
}
