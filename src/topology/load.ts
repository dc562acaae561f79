import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULTS } from '../config/defaults.js';
import { defaultExchangeSpec, defaultTopology } from './default-topology.js';
import { TopologyValidationError, type TopologyIssue } from './topology-errors.js';
import { parseTopologyFile, type ParsedTopologyFile } from './parse.js';
import type { QueueSpec, QueueType, RouteSpec, Topology } from './types.js';
import { validateTopology } from './validate.js';

const TOPOLOGY_FILE = /\.(ya?ml|json)$/i;

/** Files named on the command line, with directories expanded to their .yaml/.yml/.json files (sorted). */
async function expandPaths(paths: readonly string[]): Promise<{ files: string[]; issues: TopologyIssue[] }> {
  const files: string[] = [];
  const issues: TopologyIssue[] = [];
  for (const given of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(given);
    } catch {
      issues.push({ file: given, path: '(file)', value: undefined, message: 'no such file or directory' });
      continue;
    }
    if (info.isDirectory()) {
      const names = (await readdir(given)).filter((name) => TOPOLOGY_FILE.test(name)).sort();
      if (names.length === 0) {
        issues.push({ file: given, path: '(directory)', value: undefined, message: 'has no .yaml, .yml or .json topology files' });
      }
      files.push(...names.map((name) => path.join(given, name)));
    } else if (TOPOLOGY_FILE.test(given)) {
      files.push(given);
    } else {
      issues.push({ file: given, path: '(file)', value: undefined, message: 'is not a topology file: expected a .yaml, .yml or .json file' });
    }
  }
  return { files, issues };
}

function mergeRoutes(
  section: 'jobs' | 'queues',
  parsed: readonly ParsedTopologyFile[],
  pick: (file: ParsedTopologyFile) => Array<[string, RouteSpec]>,
  issues: TopologyIssue[],
): Record<string, RouteSpec> {
  const merged = new Map<string, RouteSpec>();
  for (const file of parsed) {
    for (const [name, route] of pick(file)) {
      const earlier = merged.get(name);
      if (earlier) {
        issues.push({
          file: file.file,
          path: route.source?.path ?? `routes.${section}`,
          value: name,
          message: `the route for ${section === 'jobs' ? 'job' : 'queue'} "${name}" is declared twice: here and in ${earlier.source?.file ?? 'code'}; keep one`,
        });
      } else {
        merged.set(name, route);
      }
    }
  }
  return Object.fromEntries(merged);
}

function mergeDefaultExchange(parsed: readonly ParsedTopologyFile[], issues: TopologyIssue[]): { name: string; file: string | undefined } {
  let chosen: { name: string; file: string } | undefined;
  for (const file of parsed) {
    if (file.defaultExchange === undefined) continue;
    if (chosen && chosen.name !== file.defaultExchange) {
      issues.push({
        file: file.file,
        path: 'defaultExchange',
        value: file.defaultExchange,
        message: `conflicts with defaultExchange "${chosen.name}" in ${chosen.file}; set it in one file`,
      });
    } else {
      chosen ??= { name: file.defaultExchange, file: file.file };
    }
  }
  return chosen ?? { name: DEFAULTS.amqp.exchange, file: undefined };
}

/** The files' `queueType`: several files may set it, to the same value. */
function mergeQueueType(parsed: readonly ParsedTopologyFile[], issues: TopologyIssue[]): { type: QueueType; file: string } | undefined {
  let chosen: { type: QueueType; file: string } | undefined;
  for (const file of parsed) {
    if (file.queueType === undefined) continue;
    if (chosen && chosen.type !== file.queueType) {
      issues.push({
        file: file.file,
        path: 'queueType',
        value: file.queueType,
        message:
          `conflicts with queueType "${chosen.type}" in ${chosen.file}: queueType applies to every file's queues, so set it in one file ` +
          '(or to the same value in both), and give a queue that must differ its own type',
      });
    } else {
      chosen ??= { type: file.queueType, file: file.file };
    }
  }
  return chosen;
}

/** A file's queue with the topology's `queueType` when it has no `type` of its own. */
function typedQueue(file: ParsedTopologyFile, queue: QueueSpec, queueType: { type: QueueType; file: string } | undefined): QueueSpec {
  if (!queueType || !file.untypedQueues.has(queue)) return queue;
  return { ...queue, type: queueType.type, typeFrom: { file: queueType.file, path: 'queueType' } };
}

/**
 * Merges parsed files into one topology and validates it. warren's default exchange
 * (DEFAULTS.amqp.exchange) is added as a durable direct exchange when no file declares it;
 * a `defaultExchange` of another name must be declared in a file. A `queueType` set in one
 * file types the queues without `type` of every file (files that set it must agree).
 */
export function mergeTopologyFiles(parsed: readonly ParsedTopologyFile[]): { topology: Topology; issues: TopologyIssue[] } {
  const issues: TopologyIssue[] = [];
  const defaultExchange = mergeDefaultExchange(parsed, issues);
  const queueType = mergeQueueType(parsed, issues);
  const exchanges = parsed.flatMap((file) => file.exchanges);
  const isWarrensOwn = defaultExchange.file === undefined || defaultExchange.name === DEFAULTS.amqp.exchange;
  if (isWarrensOwn && !exchanges.some((exchange) => exchange.name === defaultExchange.name)) {
    exchanges.unshift(defaultExchangeSpec(defaultExchange.name));
  }
  const topology: Topology = {
    exchanges,
    queues: parsed.flatMap((file) => file.queues.map((queue) => typedQueue(file, queue, queueType))),
    bindings: parsed.flatMap((file) => file.bindings),
    routes: {
      jobs: mergeRoutes('jobs', parsed, (file) => file.jobRoutes, issues),
      queues: mergeRoutes('queues', parsed, (file) => file.queueRoutes, issues),
    },
    defaultExchange: defaultExchange.name,
    ...(queueType && { queueType: queueType.type }),
    files: parsed.map((file) => file.file),
  };
  for (const issue of validateTopology(topology)) {
    // The default exchange is named by a file: point at it.
    issues.push(issue.path === 'defaultExchange' && issue.file === undefined ? { ...issue, file: defaultExchange.file } : issue);
  }
  return { topology, issues };
}

/**
 * Parses and validates topology text in memory (the file name picks YAML or JSON and appears
 * in messages). Throws TopologyValidationError listing every problem.
 */
export function parseTopology(sources: ReadonlyArray<{ file: string; text: string }>): Topology {
  const issues: TopologyIssue[] = [];
  const parsed: ParsedTopologyFile[] = [];
  for (const { file, text } of sources) {
    const result = parseTopologyFile(file, text);
    issues.push(...result.issues);
    if (result.parsed) parsed.push(result.parsed);
  }
  // Cross-file checks only make sense once every file parsed.
  if (issues.length > 0) throw new TopologyValidationError(issues);
  const merged = mergeTopologyFiles(parsed);
  if (merged.issues.length > 0) throw new TopologyValidationError(merged.issues);
  return merged.topology;
}

/**
 * Read, merge and validate topology files (YAML or JSON; a directory means every .yaml, .yml
 * and .json file in it, in name order). With no files: `defaultTopology()`.
 * Throws TopologyValidationError (a TopologyError) naming file, key and value of every problem,
 * before anything touches the broker.
 */
export async function loadTopology(files: readonly string[]): Promise<Topology> {
  if (files.length === 0) return defaultTopology();
  const expanded = await expandPaths(files);
  if (expanded.issues.length > 0) throw new TopologyValidationError(expanded.issues);
  const sources = await Promise.all(expanded.files.map(async (file) => ({ file, text: await readFile(file, 'utf8') })));
  return parseTopology(sources);
}
