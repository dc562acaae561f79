import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultTopology, loadTopology, parseTopology, planTopology } from '../../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);

describe('planTopology', () => {
  it('lists every exchange, queue and binding with the arguments that would be declared and where each comes from', async () => {
    const text = planTopology(await loadTopology([fixture('app.yaml')])).format();
    const file = fixture('app.yaml');
    expect(text).toContain(`Topology plan (from ${file})`);
    expect(text).toContain("  + exchange 'warren': direct, durable  [warren's default]");
    expect(text).toContain(`  + exchange 'jobs': topic, durable  [${file}]`);
    expect(text).toContain(`  + queue 'mailers': classic, durable, x-max-priority=5, x-message-ttl=60000, x-dead-letter-exchange='dead'  [${file}]`);
    expect(text).toContain(
      `  + queue 'critical': quorum, durable, x-dead-letter-exchange='dead', x-dead-letter-routing-key='mailers.dead', x-delivery-limit=10  [${file}]`,
    );
    expect(text).toContain(`  + binding jobs -> mailers: routing key 'mail.*'  [${file}]`);
  });

  it('shows where jobs are published: job routes, each queue, and queues no file lists', async () => {
    const text = planTopology(await loadTopology([fixture('app.yaml')])).format();
    expect(text).toContain("  job WelcomeMailer -> exchange 'jobs', routing key 'mail.welcome'");
    expect(text).toContain("  queue critical -> exchange 'jobs', routing key 'critical'");
    expect(text).toContain("  any other queue -> exchange 'warren', routing key = the queue's name");
    expect(text).toContain('declared on first use as a durable classic queue (x-queue-version=2, no priorities: declare maxPriority');
  });

  it('flags a queue whose jobs no binding would deliver', async () => {
    const plan = planTopology(await loadTopology([fixture('app.yaml')]));
    // mailers is bound only with the pattern "mail.*": a job queued as "mailers" without a job route has no way in.
    expect(plan.routes.find((route) => route.subject === 'queue mailers')).toMatchObject({ exchange: 'warren', reachesQueue: false });
    expect(plan.routes.find((route) => route.subject === 'queue critical')).toMatchObject({ reachesQueue: true });
    expect(plan.format()).toContain("queue mailers -> exchange 'warren', routing key 'mailers' (no binding takes it to the queue");
  });

  it('describes the default topology when there is no file', () => {
    const plan = planTopology(defaultTopology(['mailers']));
    expect(plan.format()).toContain('Topology plan (no topology file: the default topology)');
    expect(plan.queues).toEqual([
      expect.objectContaining({ kind: 'queue', name: 'mailers', summary: 'classic, durable, x-queue-version=2', origin: 'default' }),
    ]);
  });

  it('says that plan touches no broker', () => {
    const plan = planTopology(parseTopology([{ file: 'x.yaml', text: '' }]));
    expect(plan.format()).toContain('Nothing is declared by this command');
  });
});
