import { type ExecFileException, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './paths.js';

/**
 * The three-node RabbitMQ cluster of scripts/cluster.sh (warren-c1..c3@localhost on 127.0.0.1:5681..5683), for the
 * "Beyond one broker" tests. Every call runs the script; the default broker on 5672 is never touched.
 * `up` takes ~40 s from cold on two cores (~2 s when already up); `startNode` after a kill ~10-15 s.
 */

export const clusterScript = join(repositoryRoot, 'scripts', 'cluster.sh');

/** Node numbers as the script takes them. */
export type ClusterNode = 1 | 2 | 3;

/** The script could not run at all: no RabbitMQ installed, not root/rabbitmq, no bash. Tests may skip on this. */
export class ClusterUnavailableError extends Error {
  override name = 'ClusterUnavailableError';
}

/** The script ran and failed (boot timeout, port taken, ...); the message carries its stderr. */
export class ClusterCommandError extends Error {
  override name = 'ClusterCommandError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export interface ClusterNodeStatus {
  name: string;
  state: 'running' | 'stopped' | 'app-stopped' | 'unreachable';
  pid: number | undefined;
  url: string;
}

export interface ClusterStatus {
  /** 0 all running and clustered, 1 partly, 3 down (the script's exit code). */
  exitCode: number;
  nodes: ClusterNodeStatus[];
  runningMembers: string[];
  output: string;
}

const unwrappedServer = '/usr/lib/rabbitmq/bin/rabbitmq-server';

/** Why the cluster cannot run here, or undefined when it (probably) can. Cheap: no process is started. */
export function clusterUnavailableReason(): string | undefined {
  if (process.platform === 'win32') return 'scripts/cluster.sh needs bash and a Linux RabbitMQ install';
  const server = process.env.WARREN_CLUSTER_RABBITMQ_BIN ? join(process.env.WARREN_CLUSTER_RABBITMQ_BIN, 'rabbitmq-server') : unwrappedServer;
  const onPath = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, 'rabbitmq-server')));
  if (!existsSync(server) && !onPath) {
    return `rabbitmq-server is missing (looked for ${server} and on PATH): install RabbitMQ (apt-get install rabbitmq-server) to run the cluster tests`;
  }
  return undefined;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs: number, acceptCodes: number[] = [0]): Promise<RunResult> {
  const unavailable = clusterUnavailableReason();
  if (unavailable) return Promise.reject(new ClusterUnavailableError(unavailable));
  return new Promise((resolve, reject) => {
    execFile('bash', [clusterScript, ...args], { cwd: repositoryRoot, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const failure: ExecFileException | null = error;
      const code: number | null = failure ? (typeof failure.code === 'number' ? failure.code : null) : 0;
      if (failure && failure.code === 'ENOENT') {
        reject(new ClusterUnavailableError(`cannot run bash for ${clusterScript}: ${failure.message}`));
        return;
      }
      if (code === 127) {
        reject(new ClusterUnavailableError(stderr.trim() || `rabbitmq-server is missing (scripts/cluster.sh ${args.join(' ')} exited 127)`));
        return;
      }
      if (code !== null && acceptCodes.includes(code)) {
        resolve({ code, stdout, stderr });
        return;
      }
      const why = failure?.killed ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? failure?.signal ?? 'unknown'}`;
      reject(new ClusterCommandError(`scripts/cluster.sh ${args.join(' ')} ${why}:\n${stderr.trim()}\n${stdout.trim()}`, code, stdout, stderr));
    });
  });
}

/** Starts the cluster (or finds it up) and returns the three AMQP URLs, c1 first. */
export async function clusterUp(timeoutMs = 300_000): Promise<{ urls: string[] }> {
  const { stdout } = await run(['up'], timeoutMs);
  const urls = stdout
    .split('\n')
    .filter((line) => line.startsWith('url '))
    .map((line) => line.slice(4).trim());
  if (urls.length !== 3) throw new ClusterCommandError(`scripts/cluster.sh up printed ${urls.length} URLs:\n${stdout}`, 0, stdout, '');
  return { urls };
}

/** Stops the three nodes and removes their directory. */
export async function clusterDown(timeoutMs = 120_000): Promise<void> {
  await run(['down'], timeoutMs);
}

/** kill -9 of node n's Erlang VM; resolves once the process is gone. */
export async function killNode(n: ClusterNode, timeoutMs = 30_000): Promise<void> {
  await run(['kill', String(n)], timeoutMs);
}

/** Graceful `rabbitmqctl stop` of node n (its VM exits). */
export async function stopNode(n: ClusterNode, timeoutMs = 120_000): Promise<void> {
  await run(['stop', String(n)], timeoutMs);
}

/** Graceful `rabbitmqctl stop_app` of node n (its VM keeps running, AMQP closes). */
export async function stopNodeApp(n: ClusterNode, timeoutMs = 120_000): Promise<void> {
  await run(['stop-app', String(n)], timeoutMs);
}

/** Starts node n again after kill/stop/stop-app and resolves once it rejoined the cluster. */
export async function startNode(n: ClusterNode, timeoutMs = 300_000): Promise<void> {
  await run(['start', String(n)], timeoutMs);
}

/** Each node's state and the running membership (never throws on a partly or fully stopped cluster). */
export async function clusterStatus(timeoutMs = 60_000): Promise<ClusterStatus> {
  const { code, stdout } = await run(['status'], timeoutMs, [0, 1, 3]);
  const nodes: ClusterNodeStatus[] = [];
  let runningMembers: string[] = [];
  for (const line of stdout.split('\n')) {
    const node = /^(\S+@\S+)\s+(running|stopped|app-stopped|unreachable)\s+pid\s+(\S+).*\s(amqp:\/\/\S+)$/.exec(line);
    if (node) {
      const [, name, state, pid, url] = node;
      nodes.push({ name: name!, state: state as ClusterNodeStatus['state'], pid: pid === '-' ? undefined : Number(pid), url: url! });
    }
    const members = /^running members \(as \S+ sees them\): (.*)$/.exec(line);
    if (members) runningMembers = members[1]!.split(' ').filter(Boolean);
  }
  return { exitCode: code, nodes, runningMembers, output: stdout };
}

/** `rabbitmqctl ARGS` against node n (as the node's user); resolves with its stdout. */
export async function clusterCtl(n: ClusterNode, args: string[], timeoutMs = 60_000): Promise<string> {
  const { stdout } = await run(['ctl', String(n), ...args], timeoutMs);
  return stdout;
}

/** The leader node (e.g. `warren-c1@localhost`) of each quorum queue whose name starts with `prefix`, as node n sees it. */
export async function quorumLeaders(prefix: string, n: ClusterNode = 2): Promise<Map<string, string>> {
  const leaders = new Map<string, string>();
  for (const line of (await clusterCtl(n, ['list_queues', 'name', 'type', 'leader', '--quiet', '--no-table-headers'])).split('\n')) {
    const [name, type, leader] = line.trim().split(/\s+/);
    if (name?.startsWith(prefix) && type === 'quorum' && leader) leaders.set(name, leader);
  }
  return leaders;
}

/** The node number of a node name (`warren-c2@localhost` -> 2), or undefined. */
export function nodeNumber(name: string | undefined): ClusterNode | undefined {
  const match = /c([123])@/.exec(name ?? '');
  return match ? (Number(match[1]) as ClusterNode) : undefined;
}

/** The node number of a (redacted) node URL among the cluster's `urls` (c1 first), matched by port; undefined if none. */
export function nodeOfUrl(endpoint: string | undefined, urls: readonly string[]): ClusterNode | undefined {
  const port = /:(\d+)(?:\/|$)/.exec(endpoint ?? '')?.[1];
  const index = urls.findIndex((url) => new URL(url).port === port);
  return index >= 0 ? ((index + 1) as ClusterNode) : undefined;
}

/**
 * For beforeAll: fails (never skips) when RabbitMQ is not installed, saying so, so that a
 * machine without it reports the cluster tests as failed instead of quietly passing them.
 */
export function requireClusterSupport(): void {
  const reason = clusterUnavailableReason();
  if (reason) throw new ClusterUnavailableError(`the cluster tests cannot run: ${reason}`);
}
