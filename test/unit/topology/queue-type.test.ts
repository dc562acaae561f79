import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, defaultTopology, ensureQueue, loadTopology, parseTopology, planTopology, TopologyValidationError } from '../../../src/index.js';
import { defaultQueueSpec, jobQueues, queueDeclaration, type Topology, type TopologyIssue, validateTopology, withQueues } from '../../../src/topology/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, '../../../topology/quorum.yaml');

function parse(...texts: string[]): Topology {
  return parseTopology(texts.map((text, index) => ({ file: `${String.fromCharCode(97 + index)}.yaml`, text })));
}

function issuesOf(...texts: string[]): readonly TopologyIssue[] {
  try {
    parse(...texts);
  } catch (error) {
    expect(error).toBeInstanceOf(TopologyValidationError);
    return (error as TopologyValidationError).issues;
  }
  throw new Error('expected the topology to be refused');
}

const queueOf = (topology: Topology, name: string) => topology.queues.find((queue) => queue.name === name);

describe('queueType: the type of the queues a file lists without type', () => {
  it('makes queues without a type of their own quorum queues, and says so on each', () => {
    const topology = parse('queueType: quorum\nqueues:\n  - name: mailers\n');
    expect(topology.queueType).toBe('quorum');
    expect(queueOf(topology, 'mailers')).toMatchObject({ type: 'quorum', typeFrom: { file: 'a.yaml', path: 'queueType' } });
    const mailers = queueOf(topology, 'mailers');
    expect(mailers && queueDeclaration(mailers).arguments).toEqual({ 'x-queue-type': 'quorum' });
  });

  it("lets a queue's own type win", () => {
    const topology = parse('queueType: quorum\nqueues:\n  - { name: reports, type: classic, maxPriority: 10 }\n  - { name: mailers }\n');
    expect(queueOf(topology, 'reports')).toMatchObject({ type: 'classic', maxPriority: 10 });
    expect(queueOf(topology, 'reports')?.typeFrom).toBeUndefined();
    expect(queueOf(topology, 'mailers')?.type).toBe('quorum');
  });

  it('types the queues of every merged file, and leaves a topology without queueType as it was', () => {
    const topology = parse('queues:\n  - name: mailers\n', 'queueType: quorum\n');
    expect(queueOf(topology, 'mailers')).toMatchObject({ type: 'quorum', typeFrom: { file: 'b.yaml', path: 'queueType' } });
    const plain = parse('queues:\n  - name: mailers\n');
    expect(plain.queueType).toBeUndefined();
    expect(queueOf(plain, 'mailers')?.type).toBe('classic');
    expect(queueOf(plain, 'mailers')).not.toHaveProperty('typeFrom');
  });

  it('accepts the same queueType in several files and refuses two different ones, naming both files', () => {
    expect(parse('queueType: quorum\n', 'queueType: quorum\n').queueType).toBe('quorum');
    const issues = issuesOf('queueType: quorum\n', 'queueType: classic\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'b.yaml', path: 'queueType', value: 'classic' });
    expect(issues[0]?.message).toContain('conflicts with queueType "quorum" in a.yaml');
  });

  it('refuses conflicting queueTypes when loadTopology merges several files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'warren-queue-type-'));
    try {
      await writeFile(path.join(dir, 'a.yaml'), 'queueType: quorum\nqueues:\n  - name: mailers\n');
      await writeFile(path.join(dir, 'b.yaml'), 'queueType: classic\n');
      const error = await loadTopology([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TopologyValidationError);
      expect((error as TopologyValidationError).message).toContain(
        `${path.join(dir, 'b.yaml')}: queueType: conflicts with queueType "quorum" in ${path.join(dir, 'a.yaml')}`,
      );
      // A directory is several files too.
      const fromDirectory = await loadTopology([dir]).catch((caught: unknown) => caught);
      expect((fromDirectory as TopologyValidationError).issues).toEqual([expect.objectContaining({ file: path.join(dir, 'b.yaml'), path: 'queueType' })]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('suggests queueType for a misspelt or misplaced top-level key, and checks its value', () => {
    expect(issuesOf('queueTyp: quorum\n')[0]?.message).toBe('unknown key "queueTyp"; did you mean "queueType"?');
    expect(issuesOf('type: quorum\n')[0]?.message).toBe('unknown key "type"; did you mean "queueType"?');
    expect(issuesOf('x-queue-type: quorum\n')[0]?.message).toBe('unknown key "x-queue-type"; did you mean "queueType"?');
    expect(issuesOf('toString: quorum\n')[0]?.message).toMatch(/^unknown key "toString"; valid keys here: /);
    expect(issuesOf('queueType: quorom\n')[0]).toMatchObject({ path: 'queueType', message: 'must be one of classic, quorum; did you mean "quorum"?' });
  });
});

describe('queueType: the queues warren adds itself', () => {
  it('makes ensureQueue declare quorum queues: durable, no priorities, no x-queue-version (RabbitMQ refuses it on quorum queues)', () => {
    const topology = ensureQueue(parse('queueType: quorum\n'), 'mailers');
    const mailers = queueOf(topology, 'mailers');
    expect(mailers).toMatchObject({ type: 'quorum', durable: true, maxPriority: undefined, deliveryLimit: undefined, origin: 'default' });
    expect(mailers && queueDeclaration(mailers)).toEqual({ durable: true, autoDelete: false, exclusive: false, arguments: { 'x-queue-type': 'quorum' } });
    expect(topology.bindings).toContainEqual({ exchange: 'warren', queue: 'mailers', routingKey: 'mailers', origin: 'default' });
    expect(validateTopology(topology)).toEqual([]);
  });

  it("makes warren's dead-letter queue, added on first use, a quorum queue too", () => {
    const topology = ensureQueue(parse('queueType: quorum\n'), DEFAULTS.amqp.deadLetterQueue);
    expect(queueOf(topology, DEFAULTS.amqp.deadLetterQueue)?.type).toBe('quorum');
    expect(jobQueues(topology)).toEqual([]);
  });

  it('takes queueType from code: defaultTopology(names, { queueType }) or a spread topology', () => {
    const given = defaultTopology(['mailers'], { queueType: 'quorum' });
    expect(given.queueType).toBe('quorum');
    expect(queueOf(given, 'mailers')?.type).toBe('quorum');
    expect(queueOf(ensureQueue(given, 'reports'), 'reports')?.type).toBe('quorum');

    const spread = withQueues({ ...defaultTopology(), queueType: 'quorum' }, ['mailers', DEFAULTS.amqp.deadLetterQueue]);
    expect(spread.queues.map((queue) => [queue.name, queue.type])).toEqual([
      ['mailers', 'quorum'],
      [DEFAULTS.amqp.deadLetterQueue, 'quorum'],
    ]);
  });

  it('keeps classic version 2 without queueType, or with queueType: classic', () => {
    expect(defaultTopology(['mailers']).queueType).toBeUndefined();
    for (const topology of [
      defaultTopology(['mailers']),
      defaultTopology(['mailers'], { queueType: 'classic' }),
      ensureQueue(parse('queueType: classic\n'), 'mailers'),
    ]) {
      const mailers = queueOf(topology, 'mailers');
      expect(mailers && queueDeclaration(mailers).arguments).toEqual({ 'x-queue-type': 'classic', 'x-queue-version': 2 });
    }
    expect(defaultQueueSpec('mailers')).toEqual(defaultQueueSpec('mailers', 'classic'));
  });

  it('says in the plan that queues no file lists are declared as quorum queues', () => {
    expect(planTopology(parse('queueType: quorum\n')).format()).toContain('such a queue is declared on first use as a durable quorum queue (queueType: quorum');
    expect(planTopology(parse('')).format()).toContain('declared on first use as a durable classic queue (x-queue-version=2, no priorities');
  });
});

describe('queueType: quorum and what quorum queues refuse', () => {
  it('refuses maxPriority on a queue that is quorum because of queueType, suggesting type: classic for it', () => {
    const issues = issuesOf('queueType: quorum\nqueues:\n  - { name: reports, maxPriority: 10 }\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'a.yaml', path: 'queues[0].maxPriority', value: 10 });
    expect(issues[0]?.message).toContain('queue "reports" has no type of its own, so it is a quorum queue because of queueType: quorum (a.yaml)');
    expect(issues[0]?.message).toContain('refuses x-max-priority on quorum queues');
    expect(issues[0]?.message).toContain('Give this queue type: classic to keep its priorities');
    // The fix it suggests works.
    expect(queueOf(parse('queueType: quorum\nqueues:\n  - { name: reports, type: classic, maxPriority: 10 }\n'), 'reports')?.maxPriority).toBe(10);
  });

  it('names the file that sets queueType when it is another file', () => {
    const issues = issuesOf('queues:\n  - { name: reports, maxPriority: 10 }\n', 'queueType: quorum\n');
    expect(issues[0]).toMatchObject({ file: 'a.yaml', path: 'queues[0].maxPriority' });
    expect(issues[0]?.message).toContain('because of queueType: quorum (b.yaml)');
  });

  it('keeps the message for an explicit type: quorum as it was', () => {
    const [issue] = issuesOf('queues:\n  - { name: reports, type: quorum, maxPriority: 10 }\n');
    expect(issue?.message).toContain('queue "reports" is a quorum queue, and RabbitMQ 3.x refuses x-max-priority');
    expect(issue?.message).toContain('Use type: classic for a queue whose jobs have priorities');
  });

  it('says why a queue is quorum when it refuses durable: false, and classic-only arguments', () => {
    const issues = issuesOf('queueType: quorum\nqueues:\n  - { name: a, durable: false }\n  - { name: b, arguments: { x-queue-version: 2 } }\n');
    expect(issues.find((issue) => issue.path === 'queues[0].durable')?.message).toContain(
      'because of queueType: quorum (a.yaml), and quorum queues are always durable',
    );
    expect(issues.find((issue) => issue.path === 'queues[1].arguments.x-queue-version')?.message).toContain(
      'RabbitMQ refuses x-queue-version on quorum queues',
    );
  });
});

describe('deliveryLimit needs a dead-letter exchange', () => {
  it('refuses a quorum queue with a deliveryLimit and no deadLetterExchange (RabbitMQ would drop the job)', () => {
    for (const text of [
      'queues:\n  - { name: critical, type: quorum, deliveryLimit: 5 }\n',
      'queueType: quorum\nqueues:\n  - { name: critical, deliveryLimit: 5 }\n',
    ]) {
      const issues = issuesOf(text);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: 'queues[0].deliveryLimit', value: 5 });
      expect(issues[0]?.message).toContain('has a deliveryLimit but no deadLetterExchange, so RabbitMQ would drop');
      expect(issues[0]?.message).toContain(`Add deadLetterExchange: "" and deadLetterRoutingKey: ${DEFAULTS.amqp.deadLetterQueue}`);
    }
  });

  it('accepts it with the AMQP default exchange and a routing key, or with an exchange of its own', () => {
    const topology = parse(
      [
        'queueType: quorum',
        'exchanges: [{ name: dead }]',
        'queues:',
        '  - { name: critical, deliveryLimit: 5, deadLetterExchange: "", deadLetterRoutingKey: warren.dead }',
        '  - { name: other, deliveryLimit: 5, deadLetterExchange: dead }',
        '  - { name: warren.dead }',
      ].join('\n'),
    );
    expect(queueOf(topology, 'critical')).toMatchObject({ type: 'quorum', deliveryLimit: 5, deadLetterExchange: '', deadLetterRoutingKey: 'warren.dead' });
  });

  it('applies to topologies built in code, but not to the queues warren generates (the delay ladder drops on purpose)', () => {
    const base = defaultTopology();
    const spec = { ...defaultQueueSpec('critical', 'quorum'), origin: 'file' as const, deliveryLimit: 5 };
    expect(validateTopology({ ...base, queues: [spec] }).map((issue) => issue.path)).toEqual(['queues["critical"].deliveryLimit']);
    expect(validateTopology({ ...base, queues: [{ ...spec, origin: 'generated' }] })).toEqual([]);
  });
});

describe('topology/quorum.yaml', () => {
  it('is valid: quorum job and dead-letter queues with a delivery limit into warren.dead, one classic queue with priorities', async () => {
    const topology = await loadTopology([example]);
    expect(topology.queueType).toBe('quorum');
    expect(topology.queues.map((queue) => [queue.name, queue.type])).toEqual([
      ['default', 'quorum'],
      ['mailers', 'quorum'],
      ['reports', 'classic'],
      [DEFAULTS.amqp.deadLetterQueue, 'quorum'],
    ]);
    expect(queueOf(topology, 'default')).toMatchObject({ deliveryLimit: 10, deadLetterExchange: '', deadLetterRoutingKey: DEFAULTS.amqp.deadLetterQueue });
    expect(jobQueues(topology)).toEqual(['default', 'mailers', 'reports']);
    expect(planTopology(topology).routes.every((route) => route.reachesQueue !== false)).toBe(true);
    expect(queueOf(ensureQueue(topology, 'images'), 'images')?.type).toBe('quorum');
  });
});
