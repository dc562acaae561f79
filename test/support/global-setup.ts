import type { TestProject } from 'vitest/node';
import { resolveBroker } from './resolve-broker.js';
import { clearStaleDefaultLadder } from './stale-ladder.js';

declare module 'vitest' {
  export interface ProvidedContext {
    amqpUrl: string;
  }
}

/**
 * Finds a RabbitMQ for the whole run: AMQP_URL (default the local broker) when it
 * answers; otherwise a testcontainers RabbitMQ where a Docker engine exists;
 * otherwise the run fails with instructions. Broker tests are never skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await resolveBroker();
  project.provide('amqpUrl', broker.url);
  process.env.AMQP_URL = broker.url;
  await clearStaleDefaultLadder(broker.url);
  return broker.stop;
}
