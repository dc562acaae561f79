import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultTopology, loadTopology, parseTopology, TopologyValidationError } from '../../../src/index.js';
import { validateTopology, type TopologyIssue } from '../../../src/topology/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);

async function issuesOf(file: string): Promise<readonly TopologyIssue[]> {
  const error = await loadTopology([fixture(file)]).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TopologyValidationError);
  return (error as TopologyValidationError).issues;
}

function issueAt(issues: readonly TopologyIssue[], issuePath: string): TopologyIssue {
  const found = issues.find((issue) => issue.path === issuePath);
  expect(found, `an issue at ${issuePath} among ${issues.map((issue) => issue.path).join(', ')}`).toBeDefined();
  return found as TopologyIssue;
}

describe('topology validation', () => {
  it('names a misspelt key and suggests the closest valid one', async () => {
    const issues = await issuesOf('misspelt.yaml');
    expect(issueAt(issues, 'queues[0].maxPriorty')).toMatchObject({
      file: fixture('misspelt.yaml'),
      value: 10,
      message: 'unknown key "maxPriorty"; did you mean "maxPriority"?',
    });
    expect(issueAt(issues, 'exchanges[0].tpye').message).toBe('unknown key "tpye"; did you mean "type"?');
    expect(issueAt(issues, 'bindngs').message).toBe('unknown key "bindngs"; did you mean "bindings"?');
  });

  it('points an x-argument written as a key to its camelCase key', async () => {
    const issues = await issuesOf('misspelt.yaml');
    expect(issueAt(issues, 'queues[1].x-message-ttl')).toMatchObject({
      value: 1000,
      message: 'unknown key "x-message-ttl"; did you mean "messageTtl"?',
    });
  });

  it('collects every problem of a file into one error, each with file, key path and value', async () => {
    const issues = await issuesOf('many-problems.yaml');
    expect(issues.every((issue) => issue.file === fixture('many-problems.yaml'))).toBe(true);
    expect(issueAt(issues, 'queues[0].maxPriority')).toMatchObject({ value: 300 });
    expect(issueAt(issues, 'queues[0].maxPriority').message).toContain('from 1 to 255');
    expect(issueAt(issues, 'queues[4].messageTtl')).toMatchObject({ value: -5 });
    expect(issueAt(issues, 'queues[5].messageTtl')).toMatchObject({ value: 1.5 });
    expect(issueAt(issues, 'queues[5].messageTtl').message).toContain('whole number of milliseconds');
    expect(issues).toHaveLength(11);
  });

  it('refuses maxPriority on a quorum queue, saying RabbitMQ 3.x rejects it and suggesting a classic queue', async () => {
    const issue = issueAt(await issuesOf('many-problems.yaml'), 'queues[1].maxPriority');
    expect(issue.value).toBe(5);
    expect(issue.message).toContain('RabbitMQ 3.x refuses x-max-priority on quorum queues');
    expect(issue.message).toContain('Use type: classic');
  });

  it('refuses deliveryLimit on a classic queue and durable: false on a quorum queue', async () => {
    const issues = await issuesOf('many-problems.yaml');
    expect(issueAt(issues, 'queues[3].deliveryLimit').message).toContain('only applies to quorum queues');
    expect(issueAt(issues, 'queues[2].durable')).toMatchObject({ value: false });
    expect(issueAt(issues, 'queues[2].durable').message).toContain('quorum queues are always durable');
  });

  it('names bindings and routes that refer to unknown exchanges or queues', async () => {
    const issues = await issuesOf('many-problems.yaml');
    expect(issueAt(issues, 'bindings[0].exchange')).toMatchObject({
      value: 'missing-exchange',
      message: 'binding refers to unknown exchange "missing-exchange"; declare it under exchanges',
    });
    expect(issueAt(issues, 'bindings[1].queue')).toMatchObject({ value: 'missing-queue' });
    expect(issueAt(issues, 'routes.jobs.ReportJob.exchange')).toMatchObject({ value: 'gone' });
    expect(issueAt(issues, 'routes.queues.ghost')).toMatchObject({ value: 'ghost' });
    expect(issueAt(issues, 'queues[6].deadLetterExchange').message).toContain('dead-lettered jobs would be dropped');
  });

  it('explains wrong value types and enum values in plain words', async () => {
    const issues = await issuesOf('wrong-types.yaml');
    expect(issueAt(issues, 'queues[0].messageTtl')).toMatchObject({ value: '1h', message: 'must be a number, not text' });
    expect(issueAt(issues, 'queues[0].type')).toMatchObject({
      value: 'quorom',
      message: 'must be one of classic, quorum; did you mean "quorum"?',
    });
    expect(issueAt(issues, 'queues[0].durable').message).toBe('must be true or false, not text');
  });

  it('reports a YAML syntax error with its line', async () => {
    const [issue] = await issuesOf('broken.yaml');
    expect(issue?.path).toMatch(/^line \d+, column \d+$/);
    expect(issue?.message).toContain('is not valid YAML');
  });

  it('formats the error message as one line per problem, naming file, path and value', async () => {
    const error = (await loadTopology([fixture('misspelt.yaml')]).catch((caught: unknown) => caught)) as Error;
    expect(error.message.split('\n')[0]).toBe('Invalid topology (4 problems):');
    expect(error.message).toContain(`  - ${fixture('misspelt.yaml')}: queues[0].maxPriorty: unknown key "maxPriorty"; did you mean "maxPriority"? (value: 10)`);
  });

  it('refuses x-arguments that have their own key, and argument names without x-', () => {
    const parse = (): unknown =>
      parseTopology([{ file: 'inline.yaml', text: 'queues:\n  - name: q\n    arguments:\n      x-max-priority: 5\n      max-length: 3\n' }]);
    expect(parse).toThrow(TopologyValidationError);
    const issues = (() => {
      try {
        parse();
        return [];
      } catch (error) {
        return [...(error as TopologyValidationError).issues];
      }
    })();
    expect(issues.map((issue) => issue.message)).toEqual([
      'set x-max-priority with the "maxPriority" key of the queue, not under arguments',
      'queue arguments are x-arguments such as x-max-length; "max-length" does not start with "x-"',
    ]);
  });

  it('refuses keys that could pollute prototypes', () => {
    expect(() => parseTopology([{ file: 'evil.json', text: '{"queues":[{"name":"q","arguments":{"__proto__":{"x":1}}}]}' }])).toThrow(
      /"__proto__" is not allowed as a key/,
    );
  });

  it('reports reserved amq. names and an undeclared default exchange', () => {
    const run = (text: string): string => {
      try {
        parseTopology([{ file: 'inline.yaml', text }]);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(run('queues:\n  - name: amq.jobs\n')).toContain('names starting with "amq." are reserved');
    expect(run('defaultExchange: jobs\n')).toContain('inline.yaml: defaultExchange: the default exchange "jobs" is not declared');
  });

  it('allows bindings and routes to RabbitMQ built-in exchanges, and routes to the AMQP default exchange', () => {
    const topology = parseTopology([
      {
        file: 'inline.yaml',
        text: 'queues:\n  - name: q\nbindings:\n  - exchange: amq.topic\n    queue: q\nroutes:\n  queues:\n    q:\n      exchange: ""\n',
      },
    ]);
    expect(topology.routes.queues.q).toMatchObject({ exchange: '', routingKey: 'q' });
  });

  it('applies the same checks to topologies built in code', () => {
    const topology = defaultTopology(['mailers']);
    const broken = { ...topology, queues: topology.queues.map((queue) => ({ ...queue, type: 'quorum' as const, maxPriority: 10 })) };
    expect(validateTopology(topology)).toEqual([]);
    expect(validateTopology(broken)).toEqual([
      expect.objectContaining({ path: 'queues["mailers"].maxPriority', file: undefined, value: 10 }),
      // defaultQueueSpec's classic-only argument: RabbitMQ refuses it on a quorum queue too.
      expect.objectContaining({ path: 'queues["mailers"].arguments.x-queue-version', file: undefined, value: 2 }),
    ]);
  });
});
