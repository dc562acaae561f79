import { createRequire } from 'node:module';
import type { ZodIssue } from 'zod';
import { closestKey, type TopologyIssue } from './topology-errors.js';
import { fileSchemas, validKeysAt, type TopologyFile } from './schema.js';
import type { BindingSpec, ExchangeSpec, QueueSpec, QueueType, RouteSpec } from './types.js';

/** One file's declarations, normalized, before merging. */
export interface ParsedTopologyFile {
  file: string;
  defaultExchange: string | undefined;
  /** The file's `queueType` key. */
  queueType: QueueType | undefined;
  exchanges: ExchangeSpec[];
  /**
   * Queues without a `type` of their own are `classic` here, with `typeFrom` unset: merging
   * (mergeTopologyFiles) gives them the topology's `queueType`, which any of the files may set.
   */
  untypedQueues: ReadonlySet<QueueSpec>;
  queues: QueueSpec[];
  bindings: BindingSpec[];
  jobRoutes: Array<[string, RouteSpec]>;
  queueRoutes: Array<[string, RouteSpec]>;
}

type KeyPath = readonly (string | number)[];

/** `['queues', 2, 'maxPriority']` -> `queues[2].maxPriority`. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text || '(top level)';
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of keys to values',
  null: 'empty',
  undefined: 'missing',
};

function typeWord(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

/** Top-level keys written for another one that closestKey finds too far away. */
const TOP_LEVEL_ALIASES: Readonly<Record<string, string>> = { type: 'queueType', defaultQueueType: 'queueType' };

function issuesFromZod(file: string, raw: unknown, zodIssue: ZodIssue): TopologyIssue[] {
  const path = zodIssue.path;
  switch (zodIssue.code) {
    case 'unrecognized_keys':
      return zodIssue.keys.map((key) => {
        const suggestion =
          (path.length === 0 && Object.hasOwn(TOP_LEVEL_ALIASES, key) ? TOP_LEVEL_ALIASES[key] : undefined) ?? closestKey(key, validKeysAt(path));
        const valid = validKeysAt(path);
        const hint = suggestion ? `; did you mean "${suggestion}"?` : valid.length > 0 ? `; valid keys here: ${valid.join(', ')}` : '';
        return {
          file,
          path: formatKeyPath([...path, key]),
          value: valueAt(raw, [...path, key]),
          message: `unknown key "${key}"${hint}`,
        };
      });
    case 'invalid_type':
      if (zodIssue.received === 'undefined') {
        return [{ file, path: formatKeyPath(path), value: undefined, message: `is required (${typeWord(zodIssue.expected)})` }];
      }
      return [
        {
          file,
          path: formatKeyPath(path),
          value: valueAt(raw, path),
          message: `must be ${typeWord(zodIssue.expected)}, not ${typeWord(zodIssue.received)}`,
        },
      ];
    case 'invalid_enum_value': {
      const given = String(zodIssue.received);
      const suggestion = closestKey(given, zodIssue.options.map(String));
      return [
        {
          file,
          path: formatKeyPath(path),
          value: zodIssue.received,
          message: `must be one of ${zodIssue.options.join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        },
      ];
    }
    case 'invalid_union':
      return [{ file, path: formatKeyPath(path), value: valueAt(raw, path), message: 'must be text, a number, or true/false' }];
    default:
      return [{ file, path: formatKeyPath(path), value: valueAt(raw, path), message: zodIssue.message }];
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Keys that could pollute prototypes when the parsed file is copied: refused outright. */
function forbiddenKeyIssues(file: string, value: unknown, path: (string | number)[] = []): TopologyIssue[] {
  if (value === null || typeof value !== 'object') return [];
  const issues: TopologyIssue[] = [];
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (FORBIDDEN_KEYS.has(key)) {
      issues.push({ file, path: formatKeyPath([...path, key]), value: undefined, message: `"${key}" is not allowed as a key` });
    } else {
      issues.push(...forbiddenKeyIssues(file, child, [...path, Array.isArray(value) ? Number(key) : key]));
    }
  }
  return issues;
}

/** Parses YAML or JSON text (by file extension). Returns the data, or issues naming line and column. */
export function parseTopologyText(file: string, text: string): { data: unknown; issues: TopologyIssue[] } {
  if (/\.json$/i.test(file)) {
    try {
      return { data: JSON.parse(text) as unknown, issues: [] };
    } catch (error) {
      return { data: undefined, issues: [{ file, path: '(file)', value: undefined, message: `is not valid JSON: ${(error as Error).message}` }] };
    }
  }
  // yaml is loaded when a file is read (its memory is counted in docs/performance.md), not by every process that imports warren.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      data: undefined,
      issues: document.errors.map((error) => {
        const position = error.linePos?.[0];
        const where = position ? `line ${position.line}, column ${position.col}` : '(file)';
        const firstLine = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?\s*$/, '');
        return { file, path: where, value: undefined, message: `is not valid YAML: ${firstLine}` };
      }),
    };
  }
  return { data: document.toJS() as unknown, issues: [] };
}

function copyArguments(value: Record<string, string | number | boolean> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value ?? {}));
}

function normalize(file: string, data: TopologyFile): ParsedTopologyFile {
  const exchanges: ExchangeSpec[] = (data.exchanges ?? []).map((entry, index) => ({
    name: entry.name,
    type: entry.type ?? 'direct',
    durable: entry.durable ?? true,
    arguments: copyArguments(entry.arguments),
    origin: 'file',
    source: { file, path: `exchanges[${index}]` },
  }));
  const untypedQueues = new Set<QueueSpec>();
  const queues: QueueSpec[] = (data.queues ?? []).map((entry, index) => {
    const queue: QueueSpec = {
      name: entry.name,
      type: entry.type ?? 'classic',
      durable: entry.durable ?? true,
      maxPriority: entry.maxPriority,
      messageTtlMs: entry.messageTtl,
      deadLetterExchange: entry.deadLetterExchange,
      deadLetterRoutingKey: entry.deadLetterRoutingKey,
      consumerTimeoutMs: entry.consumerTimeout,
      deliveryLimit: entry.deliveryLimit,
      arguments: copyArguments(entry.arguments),
      ...(entry.consume === undefined ? {} : { consume: entry.consume }),
      origin: 'file',
      source: { file, path: `queues[${index}]` },
    };
    if (entry.type === undefined) untypedQueues.add(queue);
    return queue;
  });
  const bindings: BindingSpec[] = (data.bindings ?? []).map((entry, index) => ({
    exchange: entry.exchange,
    queue: entry.queue,
    routingKey: entry.routingKey ?? entry.queue,
    origin: 'file',
    source: { file, path: `bindings[${index}]` },
  }));
  const jobRoutes = Object.entries(data.routes?.jobs ?? {}).map(([job, route]): [string, RouteSpec] => [
    job,
    { exchange: route.exchange, routingKey: route.routingKey, source: { file, path: formatKeyPath(['routes', 'jobs', job]) } },
  ]);
  const queueRoutes = Object.entries(data.routes?.queues ?? {}).map(([queue, route]): [string, RouteSpec] => [
    queue,
    {
      exchange: route.exchange,
      routingKey: route.routingKey ?? queue,
      source: { file, path: formatKeyPath(['routes', 'queues', queue]) },
    },
  ]);
  return { file, defaultExchange: data.defaultExchange, queueType: data.queueType, exchanges, untypedQueues, queues, bindings, jobRoutes, queueRoutes };
}

/** Checks one file's structure (schema) and normalizes it; `parsed` is undefined when there are issues. */
export function parseTopologyFile(file: string, text: string): { parsed: ParsedTopologyFile | undefined; issues: TopologyIssue[] } {
  const { data, issues } = parseTopologyText(file, text);
  if (issues.length > 0) return { parsed: undefined, issues };
  // An empty file (or one with only comments) declares nothing.
  const content = data ?? {};
  const forbidden = forbiddenKeyIssues(file, content);
  if (forbidden.length > 0) return { parsed: undefined, issues: forbidden };
  const result = fileSchemas().topologyFileSchema.safeParse(content);
  if (!result.success) {
    return { parsed: undefined, issues: result.error.issues.flatMap((issue) => issuesFromZod(file, content, issue)) };
  }
  return { parsed: normalize(file, result.data), issues: [] };
}
