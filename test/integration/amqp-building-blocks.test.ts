// The AMQP layer's pure building blocks. They need no broker; they live beside the
// broker tests because the AMQP layer's tests are kept together.
import type { ConsumeMessage, Message, Channel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { roundDelayUp } from '../../src/amqp/delay/ttl-queues.js';
import { ConfigurationError, defaultTopology, Job, JobRegistry, parseTopology, redactUrl, TtlQueueDelays } from '../../src/index.js';
import { redactError, redactText } from '../../src/support/redact.js';
import { ReturnTracker } from '../../src/amqp/returns.js';
import { tlsSocketOptions } from '../../src/amqp/tls.js';
import { TypedEmitter } from '../../src/support/typed-emitter.js';
import { consumerTimeoutWarnings } from '../../src/worker/consumer-timeout.js';
import type { Delivery } from '../../src/worker/delivery.js';
import { deadLetterProperties } from '../../src/worker/dead-letter-publisher.js';
import { envelopeFor } from '../support/envelope.js';

describe('credential redaction', () => {
  it('hides the password of a URL and keeps the rest readable', () => {
    expect(redactUrl('amqp://app:s3cret@rabbit.internal:5672/prod')).toBe('amqp://app:***@rabbit.internal:5672/prod');
    expect(redactUrl('amqps://rabbit.internal')).toBe('amqps://rabbit.internal');
    expect(redactUrl('amqps://u:p@host/?passphrase=xyz&heartbeat=5')).toBe('amqps://u:***@host/?passphrase=***&heartbeat=5');
  });

  it('hides passwords inside any text, and inside errors (message and stack)', () => {
    expect(redactText('connect failed for amqp://app:s3cret@host:1 and amqps://b:c@d')).toBe('connect failed for amqp://app:***@host:1 and amqps://b:***@d');
    const error = Object.assign(new Error('cannot reach amqp://app:s3cret@host'), { code: 'ECONNREFUSED' });
    const safe = redactError(error);
    expect(safe.message).toBe('cannot reach amqp://app:***@host');
    expect(safe.stack).not.toContain('s3cret');
    expect((safe as Error & { code?: string }).code).toBe('ECONNREFUSED');
  });
});

describe('TLS options', () => {
  it('never pairs TLS options with a plaintext URL', () => {
    expect(() => tlsSocketOptions('amqp://host', { ca: '-----BEGIN CERTIFICATE-----' })).toThrow(ConfigurationError);
    expect(() => tlsSocketOptions('http://host', undefined)).toThrow(/amqp:\/\/ or amqps:\/\//);
    expect(tlsSocketOptions('amqp://host', undefined)).toBeUndefined();
  });

  it('verifies the broker certificate against the URL host by default', () => {
    expect(tlsSocketOptions('amqps://rabbit.example.com:5671', undefined)).toEqual({ servername: 'rabbit.example.com', rejectUnauthorized: true });
    const options = tlsSocketOptions('amqps://10.0.0.5', { servername: 'rabbit.example.com', ca: '-----BEGIN CERTIFICATE-----\nx' });
    expect(options).toMatchObject({ servername: 'rabbit.example.com', rejectUnauthorized: true, ca: ['-----BEGIN CERTIFICATE-----\nx'] });
  });

  it('names an unreadable certificate file', () => {
    expect(() => tlsSocketOptions('amqps://host', { ca: '/no/such/ca.pem' })).toThrow(/cannot read TLS CA file "\/no\/such\/ca.pem"/);
  });
});

describe('TTL-queue delays', () => {
  it('rounds a delay up, never down, and by at most a sixteenth', () => {
    for (const delay of [1, 7, 32, 33, 100, 1_000, 1_025, 65_537, 3_600_000, 86_400_123]) {
      const ttl = roundDelayUp(delay, 5);
      expect(ttl).toBeGreaterThanOrEqual(delay);
      expect(ttl - delay).toBeLessThanOrEqual(delay / 16);
    }
    expect(roundDelayUp(20, 5)).toBe(20);
  });

  it('sends a delayed job to a TTL queue that dead-letters into its route', () => {
    const delays = new TtlQueueDelays({ queuePrefix: 'p' });
    const target = delays.targetFor({ exchange: 'warren', routingKey: 'mailers' }, 1_000, envelopeFor('mailers'));
    expect(target).toMatchObject({ exchange: '', routingKey: 'p.1024ms.warren.mailers' });
    expect(target.queues?.[0]).toMatchObject({
      name: 'p.1024ms.warren.mailers',
      durable: true,
      messageTtlMs: 1_024,
      deadLetterExchange: 'warren',
      deadLetterRoutingKey: 'mailers',
      arguments: { 'x-expires': 1_024 + 3_600_000 },
    });
    expect(() => delays.targetFor({ exchange: 'warren', routingKey: 'q' }, 20 * 365 * 86_400_000, envelopeFor('q'))).toThrow(/longest delay/);
  });
});

describe('basic.return matching', () => {
  it('marks the oldest pending publish of the returned message id', () => {
    const tracker = new ReturnTracker();
    const first = tracker.track('job-1');
    const second = tracker.track('job-1');
    const returned = { fields: { replyCode: 312, replyText: 'NO_ROUTE', exchange: 'x', routingKey: 'k' }, properties: { messageId: 'job-1' } };
    tracker.onReturn(returned as unknown as Message);
    expect(first.returned).toEqual({ replyCode: 312, replyText: 'NO_ROUTE', exchange: 'x', routingKey: 'k' });
    expect(second.returned).toBeUndefined();
    tracker.release(first);
    tracker.release(second);
    expect(tracker.size).toBe(0);
  });
});

describe('typed events', () => {
  it('keeps emitting to the other listeners when one throws', () => {
    const errors: unknown[] = [];
    const emitter = new TypedEmitter<{ tick: number }>((error) => errors.push(error));
    const seen: number[] = [];
    emitter.on('tick', () => {
      throw new Error('broken listener');
    });
    emitter.on('tick', (n) => seen.push(n));
    emitter.once('tick', (n) => seen.push(n * 10));
    emitter.emit('tick', 1);
    emitter.emit('tick', 2);
    expect(seen).toEqual([1, 10, 2]);
    expect(errors).toHaveLength(2);
  });
});

describe('dead-letter headers', () => {
  const delivery = (headers: Record<string, unknown>): Delivery => ({
    message: {
      content: Buffer.from('{}'),
      fields: { exchange: 'warren', routingKey: 'mailers', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
      properties: { messageId: 'job-1', contentType: 'application/json', type: 'MailJob', headers },
    } as unknown as ConsumeMessage,
    queue: 'mailers',
    channel: {} as Channel,
    generation: 1,
    settled: false,
  });

  it('give the reason, error, origin and time, drop the broker death headers, and bound the message', () => {
    const error = new TypeError(`boom at amqp://app:s3cret@host ${'x'.repeat(5_000)}`);
    const properties = deadLetterProperties(
      delivery({ 'x-death': [{ count: 1 }], 'x-first-death-queue': 'q', 'warren-version': '0.1.0', tenant: 'a' }),
      'failed',
      error,
      100,
    );
    expect(properties.messageId).toBe('job-1');
    expect(properties.contentType).toBe('application/json');
    expect(properties.headers).toMatchObject({
      tenant: 'a',
      'warren-version': '0.1.0',
      'warren-reason': 'failed',
      'warren-error-class': 'TypeError',
      'warren-original-queue': 'mailers',
      'warren-original-exchange': 'warren',
      'warren-original-routing-key': 'mailers',
    });
    const headers = properties.headers as Record<string, unknown>;
    expect(Object.keys(headers).some((name) => name.includes('death'))).toBe(false);
    expect((headers['warren-error-message'] as string).length).toBe(100);
    expect(headers['warren-error-message']).not.toContain('s3cret');
    expect(Number.isNaN(Date.parse(headers['warren-dead-at'] as string))).toBe(false);
  });
});

describe('consumer timeout warnings', () => {
  class LongJob extends Job {
    static override jobName = 'LongJob';
    static override timeout = 45 * 60_000;
    async perform(): Promise<void> {}
  }
  class ShortJob extends Job {
    static override jobName = 'ShortJob';
    static override timeout = 1_000;
    async perform(): Promise<void> {}
  }
  const registry = new JobRegistry().register(LongJob, ShortJob);

  it('names the jobs whose timeout exceeds the broker default or the queue setting', () => {
    const warnings = consumerTimeoutWarnings(registry, defaultTopology(), ['default']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /job LongJob has a timeout of 2700000 ms, longer than the consumer timeout of queue "default" \(1800000 ms, the broker default\)/,
    );
    const topology = parseTopology([{ file: 't.yaml', text: 'queues:\n  - name: fast\n    consumerTimeout: 500\n' }]);
    expect(consumerTimeoutWarnings(registry, topology, ['fast'])).toHaveLength(2);
  });
});
