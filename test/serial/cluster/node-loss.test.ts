// "Beyond one broker" (issue 20): a 3-node RabbitMQ cluster (scripts/cluster.sh, nodes on 127.0.0.1:5681-5683),
// quorum job and dead-letter queues, producers and workers given all three addresses, and nodes lost under load.
// One file, one cluster: booting it takes ~50 s on two cores, so the three scenarios share it and each sets up
// the node states it needs. Without RabbitMQ installed the file fails (it does not skip).
//
// WARREN_CLUSTER_JOBS   jobs of the node-loss run (default 20000)
// WARREN_CLUSTER_BATCH  jobs of the producer-node-loss batch (default 10000)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AmqpAdapter, configure, EnqueueError, type Job, performAllLater, Worker } from '../../../src/index.js';
import { resetConfiguration } from '../../../src/testing/index.js';
import {
  addressesFrom,
  clusterWorkerEnv,
  FaultScenario,
  lastConnectedNode,
  mixedJobs,
  quorumTopology,
  quorumTopologyYaml,
} from '../../fixtures/cluster/cluster-scenario.js';
import { faultRegistry, LedgerJob } from '../../fixtures/fault/jobs.js';
import { describeCount, type LedgerEntry } from '../../fixtures/fault/ledger.js';
import { killAllFaultWorkers } from '../../fixtures/fault/processes.js';
import {
  type ClusterNode,
  clusterCtl,
  clusterDown,
  clusterStatus,
  clusterUp,
  killNode,
  nodeNumber,
  nodeOfUrl,
  quorumLeaders,
  requireClusterSupport,
  startNode,
  stopNode,
} from '../../support/cluster.js';
import { waitFor } from '../../support/wait.js';

const JOBS = Number(process.env.WARREN_CLUSTER_JOBS ?? 20_000);
const BATCH = Number(process.env.WARREN_CLUSTER_BATCH ?? 10_000);
/** Jobs per performAllLater call of the node-loss run. */
const CHUNK = 500;

let urls: string[] = [];
const scenarios: FaultScenario[] = [];
const fileStarted = Date.now();

beforeAll(async () => {
  requireClusterSupport();
  const started = Date.now();
  ({ urls } = await clusterUp());
  console.info(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${urls.join(' ')}`);
}, 360_000);

afterAll(async () => {
  await killAllFaultWorkers();
  // The queues go with the cluster; a cleanup whose probe's node was killed must not hold up the rest.
  for (const scenario of scenarios) await Promise.race([scenario.cleanup().catch(() => {}), sleep(15_000)]);
  resetConfiguration();
  await clusterDown();
  console.info(`cluster file done in ${((Date.now() - fileStarted) / 1000).toFixed(1)} s (cluster up and down included)`);
}, 240_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Starts every node that is not running (each `start` waits until the node rejoined). */
async function startStoppedNodes(): Promise<void> {
  for (const node of (await clusterStatus()).nodes) {
    if (node.state !== 'running') await startNode(nodeNumber(node.name)!);
  }
}

interface PublishStats {
  /** Publishes refused with an EnqueueError (each one was published again). */
  refused: number;
  /** Refusals that were not EnqueueErrors (must stay 0). */
  otherErrors: string[];
}

/** performAllLater in chunks; jobs refused with an EnqueueError are published again (same job id) until confirmed. */
async function publishUntilConfirmed(jobs: readonly Job[], stats: PublishStats, chunk = CHUNK, pauseMs = 0): Promise<void> {
  for (let offset = 0; offset < jobs.length; offset += chunk) {
    if (offset > 0 && pauseMs > 0) await sleep(pauseMs);
    let pending = jobs.slice(offset, offset + chunk);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > 60) throw new Error(`${pending.length} jobs still refused after 60 attempts: ${pending[0]?.enqueueError?.message}`);
      await performAllLater(pending);
      const refused = pending.filter((job) => !job.successfullyEnqueued);
      for (const job of refused) if (!(job.enqueueError instanceof EnqueueError)) stats.otherErrors.push(String(job.enqueueError));
      stats.refused += refused.length;
      pending = refused;
      if (pending.length > 0) await sleep(250);
    }
  }
}

/** How long jobs stopped being performed after `at`: the gap between the last perform before it and the first after. */
function performGapAround(entries: readonly LedgerEntry[], at: number): number {
  const performs = entries.filter((entry) => entry.event === 'performed').map((entry) => entry.at);
  const before = Math.max(...performs.filter((time) => time <= at), at);
  const after = Math.min(...performs.filter((time) => time > at));
  return Number.isFinite(after) ? after - before : Number.NaN;
}

it(`node loss under load: ${JOBS} jobs (immediate, delayed, retried) on quorum queues; the leader's node killed -9 and restarted, a worker's node stopped; nothing lost`, {
  timeout: 900_000,
}, async () => {
  const runStarted = Date.now();
  const scenario = await FaultScenario.open(urls[1]!); // the probe on c2, which this scenario never takes down
  scenarios.push(scenario);
  const queue = scenario.queue('jobs');
  const yaml = quorumTopologyYaml(queue, scenario.deadLetterQueue);
  const topology = quorumTopology(queue, scenario.deadLetterQueue);
  const producer = scenario.producer({ url: urls, topology, publishTimeoutMs: 30_000 });
  const producerNodes: string[] = [];
  producer.events.on('connection:connect', ({ endpoint }) => producerNodes.push(endpoint));
  configure({ adapter: producer });
  const stats: PublishStats = { refused: 0, otherErrors: [] };

  // Tranche 1 goes out before any worker runs, through the producer on c1: the job queue and the delay ladder
  // are declared there, so their leaders are on c1.
  const tranches = [Math.round(JOBS * 0.4), Math.round(JOBS * 0.3)];
  tranches.push(JOBS - tranches[0]! - tranches[1]!);
  const jobs: Job[] = [];
  const tranche1 = mixedJobs(queue, tranches[0]!, 't1');
  jobs.push(...tranche1);
  await publishUntilConfirmed(tranche1, stats);
  const leaderNode = nodeNumber((await quorumLeaders(scenario.prefix)).get(queue));
  expect(leaderNode, `the leader of ${queue}`).toBeDefined();

  // Two worker processes, each given all three addresses, starting at c2 and c3.
  const workerEnv = { WARREN_FAULT_CONCURRENCY: '50' };
  const workers = [2, 3].map((first) => scenario.spawnWorker([queue], clusterWorkerEnv(urls, first, yaml, workerEnv)));
  await Promise.all(workers.map((worker) => worker.waitUntilReady(120_000)));
  const firstNodes = workers.map((worker) => nodeOfUrl(lastConnectedNode(worker), urls));
  expect(firstNodes).toEqual([2, 3]);
  const performed = () => scenario.count(jobs.map((job) => job.jobId)).performed;

  // 1. Once 15% of the first tranche ran, kill -9 the node holding the job queue's leader while tranche 2 is
  //    being published (the producer is on c1 too), then start it again.
  await waitFor(() => performed() >= tranches[0]! * 0.15, 'the first jobs performed', 120_000, 100);
  const tranche2 = mixedJobs(queue, tranches[1]!, 't2');
  jobs.push(...tranche2);
  const publishing2 = publishUntilConfirmed(tranche2, stats);
  const killedAt = Date.now();
  await killNode(leaderNode!);
  const performedAtKill = performed();
  await sleep(3_000);
  const restartStarted = Date.now();
  await startNode(leaderNode!);
  const restartMs = Date.now() - restartStarted;
  await publishing2;

  // 2. Stop (gracefully) the node the second worker is connected to while tranche 3 is being published, paced
  //    (a chunk every 700 ms) so that the stop lands among jobs being published, waiting and running.
  const stoppedNode = nodeOfUrl(lastConnectedNode(workers[1]!), urls)!;
  expect(stoppedNode).toBeDefined();
  const tranche3 = mixedJobs(queue, tranches[2]!, 't3');
  jobs.push(...tranche3);
  const publishing3 = publishUntilConfirmed(tranche3, stats, CHUNK, 700);
  await waitFor(() => tranche3.filter((job) => job.successfullyEnqueued).length >= tranche3.length / 4, 'a quarter of tranche 3 confirmed', 120_000, 50);
  const connectsBeforeStop = workers[1]!.eventsNamed('connection:connect').length;
  const stoppedAt = Date.now();
  await stopNode(stoppedNode);
  const performedAtStop = performed();
  await publishing3;
  const publishedMs = Date.now() - runStarted;

  const confirmed = jobs.map((job) => job.jobId);
  expect(jobs.every((job) => job.successfullyEnqueued)).toBe(true);
  const count = await scenario.waitUntilPerformed(confirmed, 240_000).catch(async (error: unknown) => {
    // Where the missing jobs are: the scenario's queues that still hold messages, with their leaders.
    const listing = await clusterCtl(2, ['list_queues', 'name', 'leader', 'messages', 'messages_unacknowledged', '--quiet', '--no-table-headers']).catch(
      String,
    );
    console.error(
      `queues of ${scenario.prefix} still holding messages:\n${listing
        .split('\n')
        .filter((line) => line.startsWith(scenario.prefix) && !/\s0\s+0\s*$/.test(line))
        .join('\n')}`,
    );
    throw error;
  });
  const drainedMs = Date.now() - runStarted;
  const ledger = scenario.ledger();
  const workerMoves = workers[1]!.eventsNamed('connection:connect').slice(connectsBeforeStop);
  const leadersAfter = await quorumLeaders(scenario.prefix);
  console.info(
    `${describeCount(`cluster node loss (${JOBS} jobs)`, count)}; ${stats.refused} publishes refused with EnqueueError and re-sent; ` +
      `published in ${seconds(publishedMs)}, all performed after ${seconds(drainedMs)} (${Math.round(JOBS / (drainedMs / 1000))} jobs/s overall); ` +
      `kill -9 of c${leaderNode} (job queue leader, producer's node) at ${performedAtKill} performed: performs paused ${seconds(performGapAround(ledger, killedAt))}, ` +
      `c${leaderNode} back and rejoined in ${seconds(restartMs)}; graceful stop of c${stoppedNode} (second worker's node) at ${performedAtStop} performed: ` +
      `performs paused ${seconds(performGapAround(ledger, stoppedAt))}, the worker reconnected to ${workerMoves.map((event) => event.payload.endpoint).join(', ')}; ` +
      `producer connections: ${producerNodes.join(' -> ')}; job queue leader now ${leadersAfter.get(queue)}`,
  );
  expect(stats.otherErrors).toEqual([]);
  expect(count.lost).toEqual([]);
  expect(count.performed).toBe(JOBS);
  expect(count.confirmed).toBe(JOBS);
  // The second worker went on consuming from another node.
  expect(workerMoves.some((event) => event.payload.role === 'consume' && nodeOfUrl(event.payload.endpoint as string, urls) !== stoppedNode)).toBe(true);
  expect(workers.every((worker) => worker.exit === undefined)).toBe(true);
  expect(await scenario.takeDeadLetters()).toEqual([]);
  await killAllFaultWorkers();
});

it('a worker given three addresses whose first node is stopped connects to the second and performs jobs', { timeout: 300_000 }, async () => {
  // The previous scenario leaves a node stopped; otherwise stop c3.
  const status = await clusterStatus();
  const down = status.nodes.filter((node) => node.state !== 'running').map((node) => nodeNumber(node.name)!);
  const stopped: ClusterNode = down[0] ?? 3;
  if (down.length === 0) await stopNode(stopped);
  const scenario = await FaultScenario.open(addressesFrom(urls, stopped)[1]!);
  scenarios.push(scenario);
  const queue = scenario.queue('second');
  const topology = quorumTopology(queue, scenario.deadLetterQueue);
  const addresses = addressesFrom(urls, stopped);
  const worker = new Worker({
    url: addresses,
    registry: faultRegistry,
    queues: [queue],
    topology,
    handleSignals: false,
    delays: scenario.ladder,
    deadLetterQueue: scenario.deadLetterQueue,
    reconnectMinMs: 100,
    reconnectMaxMs: 2_000,
  });
  const failed: string[] = [];
  const connected: string[] = [];
  worker.events.on('connection:failed', ({ endpoint }) => failed.push(endpoint));
  worker.events.on('connection:connect', ({ role, endpoint }) => role === 'consume' && connected.push(endpoint));
  const startedAt = Date.now();
  await worker.start();
  const startMs = Date.now() - startedAt;
  try {
    const producer = scenario.producer({ url: addresses.slice(1), topology });
    configure({ adapter: producer });
    const jobs = Array.from({ length: 200 }, (_, index) => LedgerJob.set({ queue }).build(`second-${index}`));
    expect(await performAllLater(jobs)).toBe(jobs.length);
    const count = await scenario.waitUntilPerformed(
      jobs.map((job) => job.jobId),
      120_000,
    );
    console.info(
      `first address down (c${stopped}): the worker's connect attempts failed on ${[...new Set(failed)].join(', ')} and it connected to ${connected.join(', ')} ` +
        `(start took ${seconds(startMs)}); ${describeCount('jobs', count)}`,
    );
    expect(nodeOfUrl(connected[0], urls)).toBe(nodeOfUrl(addresses[1], urls));
    expect(failed.every((endpoint) => nodeOfUrl(endpoint, urls) === stopped)).toBe(true);
    expect(count.lost).toEqual([]);
    expect(count.performed).toBe(jobs.length);
  } finally {
    await worker.stop();
  }
});

it(`the producer's node killed -9 while a batch of ${BATCH} jobs is in flight: every job is either confirmed and performed or refused with an EnqueueError`, {
  timeout: 600_000,
}, async () => {
  await startStoppedNodes();
  const scenario = await FaultScenario.open(urls[2]!); // the probe on c3, which this scenario never takes down
  scenarios.push(scenario);
  const queue = scenario.queue('batch');
  const yaml = quorumTopologyYaml(queue, scenario.deadLetterQueue);
  const topology = quorumTopology(queue, scenario.deadLetterQueue);
  // The worker (all three addresses, starting at c3) declares the queue: its leader is on c3, so the kill below
  // takes away the producer's node only.
  const worker = scenario.spawnWorker([queue], clusterWorkerEnv(urls, 3, yaml, { WARREN_FAULT_CONCURRENCY: '50' }));
  await worker.waitUntilReady(120_000);
  const producer = new AmqpAdapter({ url: urls, topology, delays: scenario.ladder, reconnectMinMs: 100, reconnectMaxMs: 2_000 });
  const producerNodes: string[] = [];
  producer.events.on('connection:connect', ({ endpoint }) => producerNodes.push(endpoint));
  configure({ adapter: producer });
  try {
    // A first job connects the producer (to c1, its first address) and declares what it publishes through.
    const warmup = LedgerJob.set({ queue }).build('warmup');
    expect(await performAllLater([warmup])).toBe(1);
    const producerNode = nodeOfUrl(producerNodes.at(-1), urls)!;
    expect(producerNode).toBe(1);

    const jobs = mixedJobs(queue, BATCH, 'batch');
    let confirmedSoFar = 0;
    producer.events.on('job:enqueued', () => (confirmedSoFar += 1));
    const sent = Date.now();
    const inFlight = performAllLater(jobs);
    // Kill the producer's node once a tenth of the batch is confirmed: the rest is in flight or not sent yet.
    await waitFor(() => confirmedSoFar >= BATCH / 10, 'a tenth of the batch confirmed', 60_000, 5);
    const confirmedAtKill = confirmedSoFar;
    await killNode(producerNode);
    const killedAfterMs = Date.now() - sent;
    await inFlight;
    const settledMs = Date.now() - sent;
    const confirmedFirst = jobs.filter((job) => job.successfullyEnqueued);
    const refused = jobs.filter((job) => !job.successfullyEnqueued);
    const otherErrors = refused.filter((job) => !(job.enqueueError instanceof EnqueueError)).map((job) => String(job.enqueueError));
    expect(otherErrors).toEqual([]);
    const refusedIds = new Set(refused.map((job) => job.jobId));
    // What the broker had of the refused ones before they are sent again: performed without a confirm.
    const performedBeforeResend = new Set(
      scenario
        .ledger()
        .filter((entry) => entry.event === 'performed' && refusedIds.has(entry.jobId))
        .map((entry) => entry.jobId),
    );
    const stats: PublishStats = { refused: 0, otherErrors: [] };
    await publishUntilConfirmed(refused, stats);
    expect(stats.otherErrors).toEqual([]);

    // Everything confirmed on the first try must be performed; so must everything re-sent.
    const firstCount = await scenario.waitUntilPerformed(
      confirmedFirst.map((job) => job.jobId),
      300_000,
    );
    const count = await scenario.waitUntilPerformed(
      [warmup, ...jobs].map((job) => job.jobId),
      300_000,
    );
    // Refused jobs the broker had in fact taken: performed again after the re-send unless the first copy ran late.
    const performs = new Map<string, number>();
    for (const entry of scenario.ledger()) if (entry.event === 'performed') performs.set(entry.jobId, (performs.get(entry.jobId) ?? 0) + 1);
    const refusedTwice = [...refusedIds].filter((id) => (performs.get(id) ?? 0) > 1).length;
    console.info(
      `producer's node c${producerNode} killed -9 ${seconds(killedAfterMs)} into a batch of ${BATCH} (${confirmedAtKill} confirmed when the kill was ordered); the batch settled after ${seconds(settledMs)}: ` +
        `${confirmedFirst.length} confirmed, ${refused.length} refused with EnqueueError (${performedBeforeResend.size} of those had reached the queue and were performed before the re-send), ` +
        `re-sent with ${stats.refused} further refusals; producer connections: ${producerNodes.join(' -> ')}; ` +
        `${describeCount('confirmed on the first try', firstCount)}; ${describeCount('all after the re-send', count)}; ${refusedTwice} refused jobs performed twice`,
    );
    expect(firstCount.lost).toEqual([]);
    expect(count.lost).toEqual([]);
    expect(count.performed).toBe(BATCH + 1);
    expect(await scenario.takeDeadLetters()).toEqual([]);
  } finally {
    await producer.close();
    await killAllFaultWorkers();
  }
});
