import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DelayLadder, JobRegistry, loadTopology, parseTopology, type Topology, TopologyValidationError, Worker } from '../../../src/index.js';
import { jobQueues } from '../../../src/topology/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, '../../../topology/example.yaml');

function withoutConsumeKeys(topology: Topology): Topology {
  return { ...topology, queues: topology.queues.map(({ consume: _consume, ...queue }) => queue) };
}

describe('jobQueues: what a worker without a queue list consumes', () => {
  it('takes the job queues of topology/example.yaml, not its dead-letter and alternate-exchange sinks', async () => {
    const topology = await loadTopology([example]);
    expect(jobQueues(topology)).toEqual(['mailers', 'critical', 'reports']);
  });

  it('is what new Worker({ topology }) consumes when given no queues', async () => {
    const topology = await loadTopology([example]);
    const worker = new Worker({ registry: new JobRegistry(), topology, handleSignals: false });
    expect(worker.queues).toEqual(['mailers', 'critical', 'reports']);
  });

  it('skips a queue bound only to a dead-letter exchange or an alternate exchange even without consume: false', async () => {
    const topology = withoutConsumeKeys(await loadTopology([example]));
    expect(topology.queues.some((queue) => queue.name === 'mailers.dead')).toBe(true);
    expect(jobQueues(topology)).toEqual(['mailers', 'critical', 'reports']);
  });

  it('skips the delay ladder and the dead-letter queue warren adds', async () => {
    const topology = new DelayLadder().extendTopology(await loadTopology([example]));
    expect(topology.queues.length).toBeGreaterThan(10);
    expect(jobQueues(topology)).toEqual(['mailers', 'critical', 'reports']);
  });

  it('honours consume: false on a job queue and consume: true on a sink', () => {
    const topology = parseTopology([
      {
        file: 'consume.yaml',
        text: [
          'exchanges:',
          '  - name: dead',
          'queues:',
          '  - name: jobs',
          '  - name: audit',
          '    consume: false',
          '  - name: graveyard',
          '    consume: true',
          '  - name: expiring',
          '    deadLetterExchange: dead',
          'bindings:',
          '  - exchange: dead',
          '    queue: graveyard',
          '',
        ].join('\n'),
      },
    ]);
    expect(jobQueues(topology)).toEqual(['jobs', 'graveyard', 'expiring']);
  });

  it('does not treat the job exchange as a sink when a wait queue dead-letters back into it', () => {
    const topology = parseTopology([
      {
        file: 'retry.yaml',
        text: [
          'queues:',
          '  - name: jobs',
          '  - name: jobs.wait',
          '    messageTtl: 5000',
          '    deadLetterExchange: warren',
          '    deadLetterRoutingKey: jobs',
          '    consume: false',
          'bindings:',
          '  - exchange: warren',
          '    queue: jobs',
          '',
        ].join('\n'),
      },
    ]);
    expect(jobQueues(topology)).toEqual(['jobs']);
  });

  it('rejects a consume value that is not true or false, naming the key', () => {
    const failure = (() => {
      try {
        parseTopology([{ file: 'bad.yaml', text: 'queues:\n  - name: jobs\n    consume: "no"\n' }]);
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(TopologyValidationError);
    expect((failure as TopologyValidationError).issues).toEqual([expect.objectContaining({ file: 'bad.yaml', path: 'queues[0].consume', value: 'no' })]);
  });
});
