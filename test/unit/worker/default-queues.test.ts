import { describe, expect, it } from 'vitest';
import { defaultTopology, Job, JobRegistry, parseTopology, Worker } from '../../../src/index.js';
import { defaultWorkerQueues, unconsumedJobWarnings } from '../../../src/worker/default-queues.js';

class ResizeImageJob extends Job {
  static override jobName = 'ResizeImageJob';
  static {
    this.queueAs('images');
  }
  async perform(): Promise<void> {}
}

class MailJob extends Job {
  static override jobName = 'MailJob';
  async perform(): Promise<void> {}
}

class TenantJob extends Job {
  static override jobName = 'TenantJob';
  static {
    this.queueAs(function (this: TenantJob) {
      return `tenant_${String(this.arguments[0])}`;
    });
  }
  async perform(_tenant: string): Promise<void> {}
}

describe('the queues a worker consumes when it is not told which', () => {
  it('are the topology job queues, then the queues registered jobs declare, each once', () => {
    const registry = new JobRegistry().register(ResizeImageJob).register(MailJob).register(TenantJob);
    const topology = parseTopology([{ file: 't.yaml', text: 'queues:\n  - name: reports\n  - name: images\n' }]);
    expect(defaultWorkerQueues(registry, topology, 'warren.dead')).toEqual(['reports', 'images', 'default']);
    expect(defaultWorkerQueues(new JobRegistry().register(ResizeImageJob), defaultTopology(), 'warren.dead')).toEqual(['images']);
    expect(defaultWorkerQueues(new JobRegistry(), defaultTopology(), 'warren.dead')).toEqual(['default']);
  });

  it('a Worker built without queues takes them from its registry (a job declaring queueAs("images") is not stranded)', () => {
    const worker = new Worker({ registry: new JobRegistry().register(ResizeImageJob).register(MailJob) });
    expect(worker.queues).toEqual(['images', 'default']);
    const told = new Worker({ registry: new JobRegistry().register(ResizeImageJob), queues: ['default', 'default'] });
    expect(told.queues).toEqual(['default']);
  });
});

describe('the start-up warning about registered jobs the worker does not consume', () => {
  it('names each job and its queue in one line, and says what to do', () => {
    const registry = new JobRegistry().register(ResizeImageJob).register(MailJob);
    const warnings = unconsumedJobWarnings(registry, defaultTopology(), ['default'], { queuesWereGiven: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('queue "images" (ResizeImageJob)');
    expect(warnings[0]).not.toContain('MailJob');
    expect(warnings[0]).toContain('--queue');
    expect(unconsumedJobWarnings(registry, defaultTopology(), ['default', 'images'], { queuesWereGiven: true })).toEqual([]);
  });

  it('follows topology routes: a job routed to a consumed queue is not reported', () => {
    const topology = parseTopology([
      {
        file: 't.yaml',
        text:
          'exchanges:\n  - name: media\n    type: direct\nqueues:\n  - name: media_work\nbindings:\n  - exchange: media\n    queue: media_work\n    routingKey: resize\n' +
          'routes:\n  jobs:\n    ResizeImageJob:\n      exchange: media\n      routingKey: resize\n',
      },
    ]);
    const registry = new JobRegistry().register(ResizeImageJob);
    expect(unconsumedJobWarnings(registry, topology, ['media_work'], { queuesWereGiven: true })).toEqual([]);
  });

  it('names jobs whose queue is a function when the worker defaulted its queues', () => {
    const registry = new JobRegistry().register(TenantJob);
    const [warning] = unconsumedJobWarnings(registry, defaultTopology(), ['default'], { queuesWereGiven: false });
    expect(warning).toContain('TenantJob');
    expect(warning).toContain('queueAs with a function');
    expect(unconsumedJobWarnings(registry, defaultTopology(), ['tenant_a'], { queuesWereGiven: true })).toEqual([]);
  });
});
