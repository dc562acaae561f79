import { describe, expect, it } from 'vitest';
import { DEFAULTS, defaultTopology, ensureQueue, parseTopology, resolveRoute, TopologyValidationError } from '../../../src/index.js';
import { extendTopology, queueDeclaration, queueMaxPriority, TOPOLOGY_DEFAULTS, topologyForQueue, withQueues } from '../../../src/topology/index.js';

describe('default topology', () => {
  it('declares one durable direct exchange named by DEFAULTS.amqp.exchange', () => {
    const topology = defaultTopology();
    expect(topology.exchanges).toEqual([{ name: DEFAULTS.amqp.exchange, type: 'direct', durable: true, arguments: {}, origin: 'default' }]);
    expect(topology.defaultExchange).toBe(DEFAULTS.amqp.exchange);
  });

  it('declares a durable classic queue per name, bound with routing key = queue name', () => {
    const topology = defaultTopology(['mailers', 'default']);
    expect(topology.queues.map((queue) => [queue.name, queue.type, queue.durable, queue.origin])).toEqual([
      ['mailers', 'classic', true, 'default'],
      ['default', 'classic', true, 'default'],
    ]);
    expect(topology.bindings).toEqual([
      { exchange: 'warren', queue: 'mailers', routingKey: 'mailers', origin: 'default' },
      { exchange: 'warren', queue: 'default', routingKey: 'default', origin: 'default' },
    ]);
  });

  it('declares default queues as classic version 2 without priorities (the cheapest kind measured; priorities are per queue, in a file)', () => {
    const [queue] = defaultTopology(['mailers']).queues;
    expect(TOPOLOGY_DEFAULTS.defaultQueueMaxPriority).toBeUndefined();
    expect(queue && queueDeclaration(queue)).toEqual({
      durable: true,
      autoDelete: false,
      exclusive: false,
      arguments: { 'x-queue-type': 'classic', 'x-queue-version': 2 },
    });
  });

  it('gives every default queue its own arguments object (the frozen defaults are copied, not shared)', () => {
    const [first, second] = defaultTopology(['a', 'b']).queues;
    expect(first?.arguments).not.toBe(second?.arguments);
    expect(Object.isFrozen(first?.arguments)).toBe(false);
  });
});

describe('ensureQueue', () => {
  it('adds a default queue and its binding for a name the topology does not list, without changing the original', () => {
    const original = defaultTopology();
    const ensured = ensureQueue(original, 'mailers');
    expect(ensured.queues.map((queue) => queue.name)).toEqual(['mailers']);
    expect(ensured.bindings).toEqual([expect.objectContaining({ exchange: 'warren', queue: 'mailers', routingKey: 'mailers' })]);
    expect(original.queues).toEqual([]);
  });

  it('returns the same topology for a queue it already lists', () => {
    const topology = defaultTopology(['mailers']);
    expect(ensureQueue(topology, 'mailers')).toBe(topology);
  });

  it('keeps a file-declared queue as the file says', () => {
    const topology = parseTopology([{ file: 'app.yaml', text: 'queues:\n  - name: mailers\n    type: quorum\n' }]);
    expect(ensureQueue(topology, 'mailers')).toBe(topology);
    expect(queueMaxPriority(topology, 'mailers')).toBeUndefined();
  });

  it('adds the default exchange when a file routes everything elsewhere', () => {
    const topology = parseTopology([{ file: 'app.yaml', text: 'defaultExchange: jobs\nexchanges:\n  - name: jobs\n    type: topic\n' }]);
    const ensured = withQueues(topology, ['a', 'b']);
    expect(ensured.exchanges.map((exchange) => exchange.name)).toEqual(['jobs']);
    expect(ensured.bindings.map((binding) => `${binding.exchange}/${binding.routingKey}`)).toEqual(['jobs/a', 'jobs/b']);
  });

  it('refuses a queue name RabbitMQ reserves', () => {
    expect(() => ensureQueue(defaultTopology(), 'amq.jobs')).toThrow(TopologyValidationError);
  });
});

describe('extendTopology', () => {
  it('appends generated declarations once, however often it is called', () => {
    const generated = {
      exchanges: [{ name: 'warren.delay', type: 'direct' as const, durable: true, arguments: {}, origin: 'generated' as const }],
    };
    const once = extendTopology(defaultTopology(), generated);
    expect(extendTopology(once, generated)).toBe(once);
    expect(once.exchanges.map((exchange) => [exchange.name, exchange.origin])).toEqual([
      ['warren', 'default'],
      ['warren.delay', 'generated'],
    ]);
  });
});

describe('resolveRoute', () => {
  const topology = parseTopology([
    {
      file: 'app.yaml',
      text: [
        'exchanges:',
        '  - name: jobs',
        '    type: topic',
        'queues:',
        '  - name: mailers',
        '  - name: reports',
        '  - name: audits',
        'bindings:',
        '  - exchange: jobs',
        '    queue: mailers',
        '    routingKey: mail.deliver',
        '  - exchange: jobs',
        '    queue: audits',
        '    routingKey: "audit.#"',
        'routes:',
        '  jobs:',
        '    WelcomeMailer: { exchange: jobs, routingKey: mail.welcome }',
        '  queues:',
        '    reports: { exchange: jobs, routingKey: reports.any }',
      ].join('\n'),
    },
  ]);

  it('uses the job route first', () => {
    expect(resolveRoute(topology, 'mailers', 'WelcomeMailer')).toMatchObject({ exchange: 'jobs', routingKey: 'mail.welcome' });
  });

  it('then the queue route', () => {
    expect(resolveRoute(topology, 'reports', 'OtherJob')).toMatchObject({ exchange: 'jobs', routingKey: 'reports.any' });
  });

  it('then a binding of the queue with an exact routing key', () => {
    expect(resolveRoute(topology, 'mailers')).toEqual({ exchange: 'jobs', routingKey: 'mail.deliver' });
  });

  it('then the default exchange with routing key = queue name', () => {
    expect(resolveRoute(topology, 'audits')).toEqual({ exchange: 'warren', routingKey: 'audits' });
    expect(resolveRoute(topology, 'unlisted')).toEqual({ exchange: 'warren', routingKey: 'unlisted' });
  });
});

describe('queueMaxPriority', () => {
  it("is the queue's maxPriority, and undefined for unlisted queues (the default has none) and queues without priorities", () => {
    const topology = parseTopology([{ file: 'app.yaml', text: 'queues:\n  - name: fast\n    maxPriority: 3\n  - name: plain\n' }]);
    expect(queueMaxPriority(topology, 'fast')).toBe(3);
    expect(queueMaxPriority(topology, 'plain')).toBeUndefined();
    expect(queueMaxPriority(topology, 'unlisted')).toBeUndefined();
  });
});

describe('topologyForQueue', () => {
  it('keeps only the queue, its bindings, and the exchanges they, its route and its dead letters use', () => {
    const topology = parseTopology([
      {
        file: 'app.yaml',
        text: [
          'exchanges: [{ name: jobs }, { name: dead }, { name: other }]',
          'queues: [{ name: q, deadLetterExchange: dead }, { name: r }]',
          'bindings: [{ exchange: jobs, queue: q }, { exchange: other, queue: r }]',
        ].join('\n'),
      },
    ]);
    const part = topologyForQueue(topology, 'q');
    expect(part.queues.map((queue) => queue.name)).toEqual(['q']);
    expect(part.bindings.map((binding) => binding.exchange)).toEqual(['jobs']);
    expect(part.exchanges.map((exchange) => exchange.name).sort()).toEqual(['dead', 'jobs']);
  });
});
