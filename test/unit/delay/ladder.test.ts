import { describe, expect, it } from 'vitest';
import {
  AdapterError,
  ConfigurationError,
  defaultTopology,
  DELAY_HEADERS,
  DelayLadder,
  ensureQueue,
  type Envelope,
  parseTopology,
  planTopology,
  type PublishTarget,
  resolveRoute,
  type Topology,
} from '../../../src/index.js';
import { resolveDelayOptions } from '../../../src/amqp/delay/delay-options.js';
import { validateTopology } from '../../../src/topology/index.js';
import { routeReachesQueue } from '../../../src/topology/routes.js';
import { dueDestination } from '../../../src/amqp/delay/destination.js';
import type { MessageProperties } from 'amqplib';
import { envelopeFor } from '../../support/envelope.js';

function envelope(queue: string): Envelope {
  return envelopeFor(queue, { job_class: 'ReportJob', job_id: '00000000-0000-4000-8000-000000000000', arguments: [] });
}

/**
 * Follows a delayed message through the generated topology as the broker would (direct and
 * fanout exchanges, alternate exchanges, dead-lettering with every routing key kept): returns
 * the queues it waits in or lands in.
 */
function walk(topology: Topology, target: PublishTarget): string[] {
  const keys = [target.routingKey, ...(target.cc ?? [])];
  const visited: string[] = [];
  let exchange: string | undefined = target.exchange;
  for (let guard = 0; exchange !== undefined && guard < 200; guard += 1) {
    const spec = topology.exchanges.find((candidate) => candidate.name === exchange);
    const matched = topology.bindings.filter((b) => b.exchange === exchange && (spec?.type === 'fanout' || keys.includes(b.routingKey)));
    if (matched.length > 1) throw new Error(`exchange ${exchange} routes the job to ${matched.length} queues`);
    const binding = matched[0];
    if (!binding) {
      exchange = spec?.arguments['alternate-exchange'] as string | undefined;
      continue;
    }
    const queue = topology.queues.find((q) => q.name === binding.queue)!;
    visited.push(queue.name);
    if (queue.name.endsWith('.due')) {
      // The worker's DueForwarder: into the queue its delivery key names, or the dead-letter queue when there is none.
      const destination = dueDestination({ headers: { CC: keys.slice(1) } } as unknown as MessageProperties, keys[0]!);
      visited.push(destination && topology.queues.some((q) => q.name === destination) ? destination : 'app.dead');
      break;
    }
    exchange = queue.deadLetterExchange;
  }
  return visited;
}

describe('DelayLadder', () => {
  const ladder = new DelayLadder({ prefix: 'app.delay', levels: 8, lowestLevel: 0, deadLetterQueue: 'app.dead' });

  it("declares the dead-letter queue as the topology's queueType says: classic by default, quorum with queueType: quorum", () => {
    expect(ladder.extendTopology(defaultTopology(['mailers'])).queues.find((q) => q.name === 'app.dead')).toMatchObject({ type: 'classic', arguments: {} });
    const quorum = ladder.extendTopology(defaultTopology(['mailers'], { queueType: 'quorum' }));
    expect(quorum.queues.find((q) => q.name === 'app.dead')).toMatchObject({ type: 'quorum', maxPriority: undefined, arguments: {}, origin: 'default' });
    expect(quorum.queues.find((q) => q.name === 'mailers')?.type).toBe('quorum');
    expect(validateTopology(quorum)).toEqual([]);
  });

  it('adds the ladder to the topology as generated declarations that plan shows: quorum levels that dead-letter at-least-once', () => {
    const topology = ladder.extendTopology(defaultTopology(['mailers']));
    expect(validateTopology(topology)).toEqual([]);
    const level3 = topology.queues.find((q) => q.name === 'app.delay.quorum.03');
    expect(level3).toMatchObject({
      type: 'quorum',
      durable: true,
      messageTtlMs: 8,
      deadLetterExchange: 'app.delay.quorum.03',
      arguments: { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' },
      origin: 'generated',
    });
    expect(topology.queues.find((q) => q.name === 'app.delay.quorum.00')?.deadLetterExchange).toBe('app.delay.quorum.due');
    expect(topology.exchanges.find((x) => x.name === 'app.delay.quorum.07')).toMatchObject({
      type: 'direct',
      durable: true,
      arguments: { 'alternate-exchange': 'app.delay.quorum.due' },
    });
    const due = topology.queues.find((q) => q.name === 'app.delay.quorum.due');
    expect(due).toMatchObject({ type: 'quorum', deadLetterExchange: undefined, deadLetterRoutingKey: undefined, deliveryLimit: 1_000, arguments: {} });
    // One ladder serves applications with different dead-letter queues: nothing of the ladder names one.
    const other = new DelayLadder({ prefix: 'app.delay', levels: 8, lowestLevel: 0, deadLetterQueue: 'other.dead' }).extendTopology(
      defaultTopology(['mailers']),
    );
    const ladderOnly = (t: Topology) => t.queues.filter((q) => q.name.startsWith('app.delay.'));
    expect(ladderOnly(other)).toEqual(ladderOnly(topology));
    expect(topology.bindings.filter((b) => b.origin === 'generated' && b.exchange !== 'app.delay.quorum.due')).toHaveLength((8 * 9) / 2);
    const plan = planTopology(topology).format({ verbose: true });
    expect(planTopology(topology).format()).toContain('+ 37 generated by warren (its delay ladder; --verbose lists them)');
    expect(plan).toContain(
      "+ queue 'app.delay.quorum.07': quorum, durable, x-message-ttl=128, x-dead-letter-exchange='app.delay.quorum.07', x-dead-letter-strategy='at-least-once', x-overflow='reject-publish'  [generated by warren]",
    );
    expect(plan).toContain("+ binding app.delay.quorum.07 -> app.delay.quorum.02: routing key '7>2'  [generated by warren]");
    expect(plan).toContain("+ binding app.delay.quorum.due -> app.delay.quorum.due: routing key ''  [generated by warren]");
    expect(plan).toContain("+ queue 'app.dead': classic, durable  [warren's default]");
    expect(topology.exchanges.some((x) => x.name === 'app.delay.deliver')).toBe(false);
  });

  it("queueType 'classic' is warren 0.1's ladder, under its old names", () => {
    const classic = new DelayLadder({ prefix: 'app.delay', levels: 8, lowestLevel: 0, deadLetterQueue: 'app.dead', queueType: 'classic' });
    const topology = classic.extendTopology(defaultTopology(['mailers']));
    expect(validateTopology(topology)).toEqual([]);
    expect(topology.queues.find((q) => q.name === 'app.delay.03')).toMatchObject({
      type: 'classic',
      messageTtlMs: 8,
      deadLetterExchange: 'app.delay.03',
      arguments: {},
    });
    expect(classic.names.entryExchange).toBe('app.delay.in');
    const visited = walk(topology, classic.place('mailers', 1_000_000 + 100, undefined, 1_000_000).target);
    expect(visited.at(-1)).toBe('mailers');
    expect(visited.slice(0, -1).every((name) => /^app\.delay\.\d\d$/.test(name))).toBe(true);
  });

  it('routes the dead-letter queue through the AMQP default exchange', () => {
    const topology = ladder.extendTopology(defaultTopology(['mailers']));
    expect(resolveRoute(topology, 'app.dead')).toEqual({ exchange: '', routingKey: 'app.dead' });
    expect(routeReachesQueue(topology, resolveRoute(topology, 'app.dead'), 'app.dead')).toBe(true);
  });

  it('is idempotent, and binds queues added later when called again', () => {
    const once = ladder.extendTopology(defaultTopology(['mailers']));
    expect(ladder.extendTopology(once)).toBe(once);
    const more = ladder.extendTopology(ensureQueue(once, 'reports'));
    expect(more.queues.filter((q) => q.name.startsWith('app.delay.quorum.'))).toHaveLength(9);
    const classic = new DelayLadder({ prefix: 'app.delay', levels: 8, lowestLevel: 0, deadLetterQueue: 'app.dead', queueType: 'classic' });
    const bound = classic.extendTopology(ensureQueue(classic.extendTopology(defaultTopology(['mailers'])), 'reports'));
    expect(bound.bindings.filter((b) => b.exchange === 'app.delay.deliver').map((b) => b.queue)).toEqual(['mailers', 'reports']);
  });

  it('a delayed job visits exactly the levels of its ladder delay, then its own queue', () => {
    const topology = ladder.extendTopology(defaultTopology(['mailers', 'mailers.eu']));
    const now = 1_000_000;
    for (const delay of [7, 8, 13, 100, 255, 261]) {
      const placement = ladder.place('mailers', now + delay, undefined, now);
      const visited = walk(topology, placement.target);
      const expectedLevels = [7, 6, 5, 4, 3, 2, 1, 0].filter((level) => Math.floor(placement.ladderDelayMs / 2 ** level) % 2 === 1);
      expect(visited).toEqual([...expectedLevels.map((level) => `app.delay.quorum.0${level}`), 'app.delay.quorum.due', 'mailers']);
      expect(placement.hops).toBe(expectedLevels.length);
      const waited = expectedLevels.reduce((sum, level) => sum + 2 ** level, 0);
      expect(waited).toBe(placement.ladderDelayMs);
      expect(waited).toBeLessThanOrEqual(delay);
      expect(placement.target.headers).toEqual({ [DELAY_HEADERS.dueAt]: now + delay });
    }
  });

  it('by default skips the levels below 32 ms: the worker holds the rest, saving hops', () => {
    const coarse = new DelayLadder({ prefix: 'app.delay', levels: 8, deadLetterQueue: 'app.dead' });
    const topology = coarse.extendTopology(defaultTopology(['mailers']));
    expect(topology.queues.filter((q) => q.name.startsWith('app.delay.')).map((q) => q.name)).toEqual([
      'app.delay.quorum.07',
      'app.delay.quorum.06',
      'app.delay.quorum.05',
      'app.delay.quorum.due',
    ]);
    const placement = coarse.place('mailers', 1_000_000 + 100, undefined, 1_000_000);
    expect(placement.ladderDelayMs).toBe(64);
    expect(walk(topology, placement.target)).toEqual(['app.delay.quorum.06', 'app.delay.quorum.due', 'mailers']);
    expect(coarse.place('mailers', 1_000_000 + 30, undefined, 1_000_000).hops).toBe(0);
  });

  it('a delayed job for a queue nobody bound is kept in the dead-letter queue, not dropped', () => {
    const topology = ladder.extendTopology(defaultTopology(['mailers']));
    const placement = ladder.place('gone', 1_000_100, undefined, 1_000_000);
    expect(walk(topology, placement.target).at(-1)).toBe('app.dead');
  });

  it('publishes delays too short for a hop into the due queue, whose forwarder delivers them when due (never early on the wire)', () => {
    const route = { exchange: 'warren', routingKey: 'mailers' };
    const placement = ladder.place('mailers', 1_000_003, route, 1_000_000);
    expect(placement).toMatchObject({
      ladderDelayMs: 0,
      hops: 0,
      target: { exchange: ladder.dueQueue, routingKey: '=mailers', headers: { [DELAY_HEADERS.dueAt]: 1_000_003 } },
    });
    // Due already: straight to the route.
    expect(ladder.place('mailers', 1_000_000, route, 1_000_000).target).toMatchObject({ exchange: 'warren', routingKey: 'mailers' });
    // The classic ladder has no due queue: straight to the route, for a warren worker to hold.
    const classic = new DelayLadder({ prefix: 'app.delay', levels: 8, deadLetterQueue: 'app.dead', queueType: 'classic' });
    expect(classic.place('mailers', 1_000_003, route, 1_000_000).target).toMatchObject({ exchange: 'warren', routingKey: 'mailers' });
  });

  it('delivers into the queue the route reaches, not the queue named in the envelope', () => {
    const file = parseTopology([
      {
        file: 'app.yaml',
        text: 'exchanges: [{ name: jobs, type: topic }]\nqueues: [{ name: reports }]\nbindings: [{ exchange: jobs, queue: reports, routingKey: "report.*" }]\nroutes: { jobs: { ReportJob: { exchange: jobs, routingKey: report.daily } } }\n',
      },
    ]);
    const topology = ladder.extendTopology(file);
    const route = resolveRoute(topology, 'default', 'ReportJob');
    const target = ladder.targetFor(route, 60_000, envelope('default'), topology);
    expect(target.cc?.at(-1)).toBe('=reports');
  });

  it('refuses to delay into a queue whose name cannot be routed through the ladder', () => {
    const long = 'q'.repeat(255);
    expect(() => ladder.targetFor({ exchange: '', routingKey: long }, 60_000, envelope(long))).toThrow(AdapterError);
    const classic = new DelayLadder({ prefix: 'app.delay', levels: 8, deadLetterQueue: 'app.dead', queueType: 'classic' });
    const topology = classic.extendTopology(defaultTopology([long]));
    expect(topology.bindings.some((b) => b.exchange === 'app.delay.deliver' && b.queue === long)).toBe(false);
  });

  it('refuses invalid options with the option named', () => {
    expect(() => resolveDelayOptions({ levels: 0 })).toThrow(ConfigurationError);
    expect(() => resolveDelayOptions({ levels: 39 })).toThrow(/levels/);
    expect(() => resolveDelayOptions({ prefix: 'amq.delay' })).toThrow(/prefix/);
    expect(() => resolveDelayOptions({ hopAllowanceMs: -1 })).toThrow(/hopAllowanceMs/);
    expect(resolveDelayOptions()).toMatchObject({ prefix: 'warren.delay', queueType: 'quorum', levels: 36, deadLetterQueue: 'warren.dead' });
  });
});
