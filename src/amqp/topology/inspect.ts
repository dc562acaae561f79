import type { Options } from 'amqplib';
import {
  brokerReplyText,
  brokerValueToJs,
  isBrokerChannelError,
  NOT_FOUND,
  parseInequivalentArgument,
  parseInvalidArgument,
  PRECONDITION_FAILED,
  RESOURCE_LOCKED,
  UNREADABLE,
} from './broker-errors.js';
import type { ThrowawayChannels } from './channels.js';
import { declaredValue, exchangeDeclaration, queueDeclaration } from '../../topology/declarations.js';
import type { ArgumentDifference } from '../../topology/topology-errors.js';
import type { ExchangeSpec, QueueSpec } from '../../topology/types.js';

/**
 * - `matches`: exists, and every argument the broker compares equals the topology's.
 * - `missing`: not declared on the broker.
 * - `differs`: exists with other arguments (`differences` lists each one).
 * - `locked`: an exclusive queue of another connection; it cannot be inspected.
 * - `unknown`: the broker refused the check in a way warren does not understand (`brokerMessage`).
 */
export type InspectionStatus = 'matches' | 'missing' | 'differs' | 'locked' | 'unknown';

export interface Inspection {
  kind: 'exchange' | 'queue';
  name: string;
  status: InspectionStatus;
  differences: ArgumentDifference[];
  /** The broker's own words, for `locked` and `unknown`. */
  brokerMessage?: string;
}

/** More than any declaration has arguments the broker compares. */
const MAX_PROBES = 24;

interface Probe {
  /** The declaration with every difference found so far replaced by the broker's value. */
  options: { durable: boolean; autoDelete: boolean; internal?: boolean; arguments: Record<string, unknown> };
  type?: string;
}

function adopt(probe: Probe, argument: string, value: unknown): void {
  if (argument === 'durable') probe.options.durable = value === true;
  else if (argument === 'auto_delete') probe.options.autoDelete = value === true;
  else if (argument === 'internal') probe.options.internal = value === true;
  else if (argument === 'type') probe.type = String(value);
  else if (value === undefined) delete probe.options.arguments[argument];
  else probe.options.arguments[argument] = value;
}

/**
 * Learns how the broker's declaration differs by re-declaring with the topology's values: each
 * 406 names one differing argument and the broker's value; the next attempt uses the broker's
 * value for it, until the declaration is accepted. Every attempt that fails closes only its
 * throwaway channel. Only called for an entity that exists, so a re-declare never creates one
 * (unless it is deleted between the check and the re-declare).
 */
async function probeDifferences(
  kind: 'exchange' | 'queue',
  name: string,
  expected: (argument: string) => unknown,
  probe: Probe,
  redeclare: (probe: Probe) => Promise<unknown>,
): Promise<Inspection> {
  const differences: ArgumentDifference[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; attempt < MAX_PROBES; attempt += 1) {
    try {
      await redeclare(probe);
      return { kind, name, status: differences.length > 0 ? 'differs' : 'matches', differences };
    } catch (error) {
      if (!isBrokerChannelError(error)) throw error;
      if (error.code === RESOURCE_LOCKED) return { kind, name, status: 'locked', differences, brokerMessage: brokerReplyText(error) };
      const inequivalent = error.code === PRECONDITION_FAILED ? parseInequivalentArgument(error) : undefined;
      if (inequivalent && !seen.has(inequivalent.argument)) {
        seen.add(inequivalent.argument);
        const wanted = expected(inequivalent.argument);
        const actual = brokerValueToJs(inequivalent.current, wanted);
        if (actual === UNREADABLE) {
          return { kind, name, status: 'unknown', differences, brokerMessage: brokerReplyText(error) };
        }
        differences.push({ argument: inequivalent.argument, expected: wanted, actual });
        adopt(probe, inequivalent.argument, actual);
        continue;
      }
      const invalid = error.code === PRECONDITION_FAILED ? parseInvalidArgument(error) : undefined;
      if (invalid && !seen.has(invalid.argument)) {
        seen.add(invalid.argument);
        const wanted = expected(invalid.argument);
        differences.push({ argument: invalid.argument, expected: wanted, actual: undefined, refusedByBroker: invalid.reason });
        adopt(probe, invalid.argument, undefined);
        continue;
      }
      return { kind, name, status: 'unknown', differences, brokerMessage: brokerReplyText(error) };
    }
  }
  return { kind, name, status: 'unknown', differences, brokerMessage: 'too many differing arguments to list' };
}

/** Whether queue `queue.name` exists on the broker, and how its declaration differs from `queue`. */
export async function inspectQueue(channels: ThrowawayChannels, queue: QueueSpec): Promise<Inspection> {
  try {
    await channels.run((channel) => channel.checkQueue(queue.name));
  } catch (error) {
    if (!isBrokerChannelError(error)) throw error;
    if (error.code === NOT_FOUND) return { kind: 'queue', name: queue.name, status: 'missing', differences: [] };
    if (error.code === RESOURCE_LOCKED) {
      return { kind: 'queue', name: queue.name, status: 'locked', differences: [], brokerMessage: brokerReplyText(error) };
    }
    throw error;
  }
  const declaration = queueDeclaration(queue);
  const probe: Probe = { options: { durable: declaration.durable, autoDelete: false, arguments: { ...declaration.arguments } } };
  return probeDifferences(
    'queue',
    queue.name,
    (argument) => declaredValue(declaration, argument),
    probe,
    (current) => channels.run((channel) => channel.assertQueue(queue.name, { ...current.options, exclusive: false } satisfies Options.AssertQueue)),
  );
}

/** Whether exchange `exchange.name` exists on the broker, and how its declaration differs from `exchange`. */
export async function inspectExchange(channels: ThrowawayChannels, exchange: ExchangeSpec): Promise<Inspection> {
  try {
    await channels.run((channel) => channel.checkExchange(exchange.name));
  } catch (error) {
    if (isBrokerChannelError(error) && error.code === NOT_FOUND) {
      return { kind: 'exchange', name: exchange.name, status: 'missing', differences: [] };
    }
    throw error;
  }
  const declaration = exchangeDeclaration(exchange);
  const probe: Probe = {
    type: declaration.type,
    options: { durable: declaration.durable, autoDelete: false, internal: false, arguments: { ...declaration.arguments } },
  };
  return probeDifferences(
    'exchange',
    exchange.name,
    (argument) => declaredValue(declaration, argument),
    probe,
    (current) =>
      channels.run((channel) => channel.assertExchange(exchange.name, current.type ?? declaration.type, current.options satisfies Options.AssertExchange)),
  );
}
