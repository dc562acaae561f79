import { describe, expect, it } from 'vitest';
import { defaultTopology, DelayLadder, parseTopology, resolveRoute } from '../../../src/index.js';
import { routeReachesSomeQueue } from '../../../src/topology/index.js';

const unbound = parseTopology([{ file: 'unbound.yaml', text: 'queues:\n  - name: lonely\n' }]);

describe('routeReachesSomeQueue: what the delayed path checks before the delay ladder', () => {
  it('is true for a queue the topology does not list yet: ensureQueue binds it by its name', () => {
    const topology = defaultTopology();
    expect(routeReachesSomeQueue(topology, resolveRoute(topology, 'mailers'), 'mailers')).toBe(true);
  });

  it('is false for a listed queue no binding reaches, and for a route key nothing is bound with', () => {
    expect(routeReachesSomeQueue(unbound, resolveRoute(unbound, 'lonely'), 'lonely')).toBe(false);
    const topology = defaultTopology(['mailers']);
    expect(routeReachesSomeQueue(topology, { exchange: topology.defaultExchange, routingKey: 'nowhere' }, 'mailers')).toBe(false);
  });

  it('is true through a topic binding and through the AMQP default exchange', () => {
    const topology = parseTopology([
      {
        file: 'topic.yaml',
        text: 'exchanges:\n  - name: reports\n    type: topic\nqueues:\n  - name: reports\nbindings:\n  - exchange: reports\n    queue: reports\n    routingKey: "reports.#"\n',
      },
    ]);
    expect(routeReachesSomeQueue(topology, { exchange: 'reports', routingKey: 'reports.daily' }, 'reports')).toBe(true);
    expect(routeReachesSomeQueue(unbound, { exchange: '', routingKey: 'lonely' }, 'lonely')).toBe(true);
  });
});

describe('resolveRoute', () => {
  it("never routes a job through the delay ladder's generated delivery bindings", () => {
    // The classic ladder binds every job queue to its delivery exchange; the quorum ladder binds none.
    const topology = new DelayLadder({ queueType: 'classic' }).extendTopology(unbound);
    expect(topology.bindings.some((binding) => binding.queue === 'lonely' && binding.origin === 'generated')).toBe(true);
    expect(resolveRoute(topology, 'lonely')).toEqual({ exchange: topology.defaultExchange, routingKey: 'lonely' });
  });
});
