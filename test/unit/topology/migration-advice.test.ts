import { describe, expect, it } from 'vitest';
import { migrationAdvice } from '../../../src/amqp/topology/describe.js';
import type { Inspection } from '../../../src/amqp/topology/inspect.js';
import { defaultTopology } from '../../../src/index.js';

const queue = defaultTopology(['mailers']).queues.find((spec) => spec.name === 'mailers')!;
const inspection: Inspection = {
  kind: 'queue',
  name: 'mailers',
  status: 'differs',
  differences: [{ argument: 'x-message-ttl', expected: undefined, actual: 60_000 }],
};

describe('migrationAdvice', () => {
  it('names the virtual host of the URL in the rabbitmqctl commands it suggests', () => {
    expect(migrationAdvice(inspection, queue, 'production')).toContain('`rabbitmqctl delete_queue -p production mailers --if-empty`');
    expect(migrationAdvice(inspection, queue, 'production')).toContain('`rabbitmqctl set_policy -p production`');
    expect(migrationAdvice(inspection, queue, "it's odd")).toContain("rabbitmqctl delete_queue -p 'it'\\''s odd' mailers");
  });

  it('says nothing of the default virtual host', () => {
    for (const vhost of ['/', undefined]) expect(migrationAdvice(inspection, queue, vhost)).toContain('`rabbitmqctl delete_queue mailers --if-empty`');
  });
});
