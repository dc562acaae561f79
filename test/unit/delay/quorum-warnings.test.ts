import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/index.js';
import { quorumQueueWarnings } from '../../../src/worker/quorum-warnings.js';

describe('quorum queue start-up warnings', () => {
  const topology = parseTopology([
    {
      file: 'app.yaml',
      text: `
queues:
  - { name: bare, type: quorum }
  - name: safe
    type: quorum
    deliveryLimit: 10
    deadLetterExchange: ''
    deadLetterRoutingKey: warren.dead
  - { name: classic }
`,
    },
  ]);

  it('warns about a consumed quorum queue without a delivery limit or a dead-letter exchange', () => {
    const warnings = quorumQueueWarnings(topology, ['bare', 'safe', 'classic']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"bare" has no deliveryLimit');
    expect(warnings[1]).toContain('"bare" has no dead-letter exchange');
  });

  it('says nothing about queues the worker does not consume', () => {
    expect(quorumQueueWarnings(topology, ['classic'])).toEqual([]);
  });
});
