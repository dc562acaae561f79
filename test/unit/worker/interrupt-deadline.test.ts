import { describe, expect, it } from 'vitest';
import { ConfigurationError, parseTopology } from '../../../src/index.js';
import { CheckpointQueues } from '../../../src/amqp/checkpoint-queues.js';
import { pauseMarkerName } from '../../../src/amqp/queue-pauses.js';
import { interruptDeadline, validateContinuationOptions } from '../../../src/worker/consumer-timeout.js';

const topology = parseTopology([{ file: 't.yaml', text: 'queues:\n  - name: short\n    consumerTimeout: 6000\n  - name: plain\n' }]);

describe('when a continuable job is asked to stop', () => {
  it("uses the queue's consumerTimeout from the topology, else the worker's setting, else RabbitMQ's 30 minutes", () => {
    expect(interruptDeadline(topology, 'short')).toEqual({ consumerTimeoutMs: 6_000, interruptAfterMs: 4_800 });
    expect(interruptDeadline(topology, 'plain')).toEqual({ consumerTimeoutMs: 1_800_000, interruptAfterMs: 1_740_000 });
    expect(interruptDeadline(topology, 'plain', { consumerTimeoutMs: 600_000 })).toEqual({ consumerTimeoutMs: 600_000, interruptAfterMs: 540_000 });
    expect(interruptDeadline(topology, 'short', { consumerTimeoutMs: 600_000 }).consumerTimeoutMs).toBe(6_000);
  });

  it('takes a margin of the smaller of one minute and a fifth of the timeout, or the one given', () => {
    expect(interruptDeadline(topology, 'plain', { consumerTimeoutMs: 100_000 }).interruptAfterMs).toBe(80_000);
    expect(interruptDeadline(topology, 'short', { interruptMarginMs: 500 }).interruptAfterMs).toBe(5_500);
    expect(interruptDeadline(topology, 'short', { interruptMarginMs: 10_000 }).interruptAfterMs).toBe(0);
  });

  it('refuses options that are not whole milliseconds', () => {
    expect(() => validateContinuationOptions({ checkpointIntervalMs: -1 })).toThrow(ConfigurationError);
    expect(() => validateContinuationOptions({ consumerTimeoutMs: 1.5 })).toThrow(/consumerTimeoutMs/);
    expect(() => validateContinuationOptions({ interruptMarginMs: 0 })).not.toThrow();
  });
});

describe('names on the broker', () => {
  it('a checkpoint queue is per job id and executions; a long or odd job id is hashed to fit 255 bytes', () => {
    expect(CheckpointQueues.queueName('3f1c2d4e-5a6b', 2)).toBe('warren.checkpoint.3f1c2d4e-5a6b.2');
    const hashed = CheckpointQueues.queueName('x'.repeat(250), 0);
    expect(hashed).toMatch(/^warren\.checkpoint\.[0-9a-f]{64}\.0$/);
    expect(CheckpointQueues.queueName('a b/ç', 1)).toMatch(/^warren\.checkpoint\.[0-9a-f]{64}\.1$/);
  });

  it('a pause marker names its queue, hashed when the name would not fit', () => {
    expect(pauseMarkerName('mailers')).toBe('warren.paused.mailers');
    const long = pauseMarkerName('q'.repeat(250));
    expect(long).toMatch(/^warren\.paused\.sha256\.[0-9a-f]{64}$/);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
  });
});
