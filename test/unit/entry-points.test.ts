import { describe, expect, it } from 'vitest';
import * as warren from '../../src/index.js';
import * as rabbitmq from '../../src/rabbitmq.js';
import * as testing from '../../src/testing/index.js';

describe('the public entry points', () => {
  it('warren/rabbitmq holds the broker-level tools', () => {
    for (const name of [
      'DelayLadder',
      'TtlQueueDelays',
      'immediateOnly',
      'DELAY_HEADERS',
      'HEADERS',
      'EnvelopeSigner',
      'signatureOf',
      'planTopology',
      'applyTopology',
      'verifyTopology',
    ]) {
      expect(rabbitmq, name).toHaveProperty(name);
    }
  });

  it('keeps the 0.1 imports of those tools from warren working, as the same objects, until 0.3', () => {
    // Added after 0.1, in warren/rabbitmq only.
    const since02 = new Set(['WorkerMonitor', 'StatsReader', 'createDashboard', 'startDashboard', 'resolveAmqpUrls', 'describeAmqpUrls']);
    for (const [name, value] of Object.entries(rabbitmq)) {
      if (since02.has(name)) {
        expect(warren, name).not.toHaveProperty(name);
        continue;
      }
      expect((warren as Record<string, unknown>)[name], name).toBe(value);
    }
  });

  it('warren exports the application API and no internal step of a delivery', () => {
    for (const name of [
      'Job',
      'JobRegistry',
      'Worker',
      'HandlerWorker',
      'AmqpAdapter',
      'InlineAdapter',
      'AsyncAdapter',
      'configure',
      'performAllLater',
      'executeEnvelope',
      'DeadLetterQueue',
    ]) {
      expect(warren, name).toHaveProperty(name);
    }
    for (const name of ['runEnvelope', 'runJob', 'performDelivery', 'DeliveryProcessor', 'resetConfiguration', 'resetArgumentRegistries']) {
      expect(warren, name).not.toHaveProperty(name);
    }
  });

  it('warren/testing has the test adapter, the assertions and resetConfiguration', () => {
    for (const name of ['TestAdapter', 'assertEnqueued', 'performEnqueuedJobs', 'resetConfiguration', 'resetArgumentRegistries'])
      expect(testing, name).toHaveProperty(name);
  });
});
