import type { ExchangeSpec, QueueSpec } from './types.js';

/** Exactly what warren sends in a queue.declare: assert, apply, verify and plan all use this. */
export interface QueueDeclaration {
  durable: boolean;
  autoDelete: false;
  exclusive: false;
  arguments: Record<string, unknown>;
}

export interface ExchangeDeclaration {
  type: string;
  durable: boolean;
  autoDelete: false;
  internal: false;
  arguments: Record<string, unknown>;
}

/**
 * A queue spec as x-arguments. `x-queue-type` is always sent, `classic` included: a broker
 * whose vhost defaults to quorum queues would otherwise make a different queue than the file
 * says, and RabbitMQ accepts an explicit `classic` for a queue declared without it.
 */
export function queueArguments(queue: QueueSpec): Record<string, unknown> {
  const own: Array<[string, unknown]> = [
    ['x-queue-type', queue.type],
    ['x-max-priority', queue.maxPriority],
    ['x-message-ttl', queue.messageTtlMs],
    ['x-dead-letter-exchange', queue.deadLetterExchange],
    ['x-dead-letter-routing-key', queue.deadLetterRoutingKey],
    ['x-consumer-timeout', queue.consumerTimeoutMs],
    ['x-delivery-limit', queue.deliveryLimit],
  ];
  return Object.fromEntries([...own.filter(([, value]) => value !== undefined), ...Object.entries(queue.arguments)]);
}

export function queueDeclaration(queue: QueueSpec): QueueDeclaration {
  return { durable: queue.durable, autoDelete: false, exclusive: false, arguments: queueArguments(queue) };
}

export function exchangeDeclaration(exchange: ExchangeSpec): ExchangeDeclaration {
  return {
    type: exchange.type,
    durable: exchange.durable,
    autoDelete: false,
    internal: false,
    arguments: Object.fromEntries(Object.entries(exchange.arguments)),
  };
}

/** The value warren declares for a property or argument, by the broker's name for it. */
export function declaredValue(declaration: QueueDeclaration | ExchangeDeclaration, argument: string): unknown {
  switch (argument) {
    case 'durable':
      return declaration.durable;
    case 'auto_delete':
      return declaration.autoDelete;
    case 'internal':
      return 'internal' in declaration ? declaration.internal : undefined;
    case 'type':
      return 'type' in declaration ? declaration.type : undefined;
    default:
      return declaration.arguments[argument];
  }
}
