import { describe, expect, it } from 'vitest';
import { Job, JobRegistry, parseTopology } from '../../../src/index.js';
import { consumerTimeoutWarnings } from '../../../src/worker/consumer-timeout.js';

class SlowExportJob extends Job {
  static override jobName = 'SlowExportJob';
  static override timeout = 45 * 60_000;
  async perform(): Promise<void> {}
}

describe('the consumer timeout start-up warning', () => {
  it("names the topology file's consumerTimeout key and says RabbitMQ below 3.12 ignores it", () => {
    const topology = parseTopology([{ file: 't.yaml', text: 'queues:\n  - name: exports\n    consumerTimeout: 600000\n' }]);
    const [warning] = consumerTimeoutWarnings(new JobRegistry().register(SlowExportJob), topology, ['exports']);
    expect(warning).toContain('raise consumerTimeout on the queue in the topology file');
    expect(warning).not.toContain('consumerTimeoutMs');
    expect(warning).toMatch(/RabbitMQ below 3\.12 ignores the per-queue value/);
    expect(warning).toContain('30 minutes');
  });
});
