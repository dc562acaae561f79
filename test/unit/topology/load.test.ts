import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTopology, TopologyError, TopologyValidationError } from '../../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);
const repositoryTopology = path.join(here, '../../../topology');

async function loadError(files: string[]): Promise<TopologyValidationError> {
  const error = await loadTopology(files).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TopologyValidationError);
  return error as TopologyValidationError;
}

describe('loadTopology', () => {
  it('reads a YAML file into exchanges, queues, bindings and routes with defaults filled in', async () => {
    const topology = await loadTopology([fixture('app.yaml')]);

    expect(topology.exchanges.map((exchange) => [exchange.name, exchange.type, exchange.durable])).toEqual([
      ['warren', 'direct', true],
      ['jobs', 'topic', true],
      ['dead', 'direct', true],
    ]);
    const mailers = topology.queues.find((queue) => queue.name === 'mailers');
    expect(mailers).toMatchObject({
      type: 'classic',
      durable: true,
      maxPriority: 5,
      messageTtlMs: 60_000,
      deadLetterExchange: 'dead',
      origin: 'file',
      source: { file: fixture('app.yaml'), path: 'queues[0]' },
    });
    expect(topology.queues.find((queue) => queue.name === 'critical')).toMatchObject({ type: 'quorum', deliveryLimit: 10 });
    expect(topology.bindings).toContainEqual(expect.objectContaining({ exchange: 'dead', queue: 'mailers.dead', routingKey: 'mailers.dead' }));
    expect(topology.routes.jobs.WelcomeMailer).toMatchObject({ exchange: 'jobs', routingKey: 'mail.welcome' });
    expect(topology.routes.queues.critical).toMatchObject({ exchange: 'jobs', routingKey: 'critical' });
    expect(topology.defaultExchange).toBe('warren');
    expect(topology.files).toEqual([fixture('app.yaml')]);
  });

  it('merges YAML and JSON files', async () => {
    const topology = await loadTopology([fixture('app.yaml'), fixture('extra.json')]);
    expect(topology.queues.map((queue) => queue.name)).toEqual(['mailers', 'critical', 'mailers.dead', 'reports']);
    expect(topology.queues.at(-1)).toMatchObject({ consumerTimeoutMs: 7_200_000, arguments: { 'x-max-length': 1000 } });
    expect(topology.exchanges.map((exchange) => exchange.name)).toContain('reports');
  });

  it('reads every .yaml, .yml and .json file of a directory in name order, ignoring other files', async () => {
    const topology = await loadTopology([fixture('dir')]);
    expect(topology.exchanges.map((exchange) => exchange.name)).toEqual(['warren', 'shared']);
    expect(topology.queues.map((queue) => queue.name)).toEqual(['from-dir']);
  });

  it('returns the default topology when no file is given', async () => {
    const topology = await loadTopology([]);
    expect(topology.exchanges).toEqual([expect.objectContaining({ name: 'warren', type: 'direct', durable: true })]);
    expect(topology.queues).toEqual([]);
  });

  it('treats an empty file as declaring nothing', async () => {
    const topology = await loadTopology([fixture('empty.yaml')]);
    expect(topology.queues).toEqual([]);
    expect(topology.exchanges.map((exchange) => exchange.name)).toEqual(['warren']);
  });

  it('loads the example topology shipped in the repository, which uses every key', async () => {
    const topology = await loadTopology([path.join(repositoryTopology, 'example.yaml')]);
    const mailers = topology.queues.find((queue) => queue.name === 'mailers');
    expect(mailers).toMatchObject({
      maxPriority: 10,
      messageTtlMs: 86_400_000,
      deadLetterExchange: 'warren.dead',
      deadLetterRoutingKey: 'mailers.dead',
      consumerTimeoutMs: 3_600_000,
      arguments: { 'x-max-length': 100_000 },
    });
    expect(topology.routes.jobs.DailyReportJob).toMatchObject({ exchange: 'reports', routingKey: 'reports.daily' });
  });

  it('reports a name declared in two files as an error naming both files', async () => {
    const error = await loadError([fixture('duplicate-a.yaml'), fixture('duplicate-b.yaml')]);
    expect(error.issues).toEqual([expect.objectContaining({ file: fixture('duplicate-b.yaml'), path: 'queues[1].name', value: 'mailers' })]);
    expect(error.message).toContain(`queue "mailers" is declared twice: here and in ${fixture('duplicate-a.yaml')} (queues[0])`);
  });

  it('reports a missing file or a file of another kind before reading anything', async () => {
    const error = await loadError([fixture('nope.yaml'), path.join(here, 'fixtures/dir/notes.txt')]);
    expect(error.issues.map((issue) => issue.message)).toEqual(['no such file or directory', 'is not a topology file: expected a .yaml, .yml or .json file']);
  });

  it('throws a TopologyValidationError, which callers can also catch as a TopologyError', async () => {
    const error = await loadError([fixture('broken.yaml')]);
    expect(error).toBeInstanceOf(TopologyError);
    expect(error.name).toBe('TopologyValidationError');
  });
});
