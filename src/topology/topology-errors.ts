import { TopologyError } from '../errors.js';

/** One problem found in topology files, before anything touches the broker. */
export interface TopologyIssue {
  /** The file the problem is in; undefined for a topology built in code. */
  file: string | undefined;
  /** The key path inside the file, e.g. `queues[2].maxPriority`. */
  path: string;
  /** The offending value (undefined when the problem is a missing key). */
  value: unknown;
  /** The problem in plain words, with what to do about it. */
  message: string;
}

/** One argument (or property such as `durable` or `type`) that differs between the broker and the topology. */
export interface ArgumentDifference {
  /** The broker's name for it: `x-max-priority`, `x-queue-type`, `durable`, `type`... */
  argument: string;
  /** The topology's value; undefined when the topology does not set it. */
  expected: unknown;
  /** The broker's value; undefined when the broker's declaration does not have it. */
  actual: unknown;
  /** Set when the broker refuses the topology's value outright (e.g. x-max-priority on a quorum queue). */
  refusedByBroker?: string;
}

/** An exchange, queue or binding that could not be declared as the topology says (usually: it exists with other arguments). */
export interface DeclarationConflict {
  kind: 'exchange' | 'queue' | 'binding';
  name: string;
  differences: ArgumentDifference[];
  /** The whole conflict in plain words, with how to migrate. */
  description: string;
}

const MAX_VALUE_CHARS = 80;

/** A value as it appears in messages: JSON, shortened. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'not set';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

export function formatIssue(issue: TopologyIssue): string {
  const where = issue.file ? `${issue.file}: ${issue.path}` : issue.path;
  const value = issue.value === undefined ? '' : ` (value: ${formatValue(issue.value)})`;
  return `${where}: ${issue.message}${value}`;
}

/**
 * Topology files are invalid. `issues` lists every problem found (not just the first),
 * each naming the file, the key path and the value. Its `name` is `TopologyValidationError`
 * (the CLI treats it as a usage error); it is `instanceof TopologyError`.
 */
export class TopologyValidationError extends TopologyError {
  readonly issues: readonly TopologyIssue[];

  constructor(issues: readonly TopologyIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid topology (${count}):\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`);
    this.issues = issues;
  }
}

/**
 * The topology could not be declared as given, usually because the broker already has an
 * exchange or queue declared with other arguments. warren does not retry: `conflicts` says
 * what differs and how to migrate, and the caller's channel was not closed by a 406.
 * Its `name` stays `TopologyError` (the publisher recognizes setup failures by that name);
 * match it with `instanceof TopologyDriftError` to read `conflicts`.
 */
export class TopologyDriftError extends TopologyError {
  readonly conflicts: readonly DeclarationConflict[];

  constructor(conflicts: readonly DeclarationConflict[]) {
    super(
      [
        'The topology could not be declared on the broker as given:',
        ...conflicts.map((conflict) => `  - ${conflict.description}`),
        'Run `warren topology verify` for the full report.',
      ].join('\n'),
    );
    this.name = 'TopologyError';
    this.conflicts = conflicts;
  }
}

function normalizedKey(key: string): string {
  return key
    .replace(/^x-/i, '')
    .replace(/[-_\s]/g, '')
    .toLowerCase();
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = previous[j] ?? 0;
      const left = previous[j - 1] ?? 0;
      previous[j] = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** x-arguments that have their own camelCase key in topology files (validation and typo hints use it). */
export const FIRST_CLASS_ARGUMENTS: Readonly<Record<string, string>> = {
  'x-queue-type': 'type',
  'x-max-priority': 'maxPriority',
  'x-message-ttl': 'messageTtl',
  'x-dead-letter-exchange': 'deadLetterExchange',
  'x-dead-letter-routing-key': 'deadLetterRoutingKey',
  'x-consumer-timeout': 'consumerTimeout',
  'x-delivery-limit': 'deliveryLimit',
};

/** The valid key closest to a misspelt one, if any is close enough to be a likely typo. */
export function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  const alias = FIRST_CLASS_ARGUMENTS[key.toLowerCase()];
  if (alias && validKeys.includes(alias)) return alias;
  const wanted = normalizedKey(key);
  let best: { key: string; distance: number } | undefined;
  for (const candidate of validKeys) {
    const distance = editDistance(wanted, normalizedKey(candidate));
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  if (!best) return undefined;
  const tolerance = Math.max(2, Math.floor(wanted.length / 4));
  return best.distance <= tolerance ? best.key : undefined;
}
