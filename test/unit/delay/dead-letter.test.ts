import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from '../../../src/amqp/dead-letters/dead-letter-message.js';
import { republishedHeaders, republishedProperties } from '../../../src/amqp/republish.js';

/** A received message; headers as the broker may send them (amqplib's XDeath type is narrower than RabbitMQ's reasons). */
function message(properties: { messageId?: string; type?: string; headers?: Record<string, unknown> }): Message {
  return {
    content: Buffer.from('{}'),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'warren.dead', messageCount: 0, consumerTag: '' },
    properties: { headers: {}, ...properties },
  } as unknown as Message;
}

describe('dead letters', () => {
  it('describes a dead letter from warren headers', () => {
    const letter = describeDeadLetter(
      message({
        messageId: 'job-1',
        type: 'MailerJob',
        headers: {
          'warren-reason': 'failed',
          'warren-error-class': 'SmtpError',
          'warren-error-message': 'timeout',
          'warren-original-queue': 'mailers',
          'warren-original-routing-key': 'mailers',
          'warren-dead-at': '2026-01-01T00:00:00.000Z',
          'warren-executions': 5,
        },
      }),
    );
    expect(letter).toEqual({
      jobId: 'job-1',
      jobClass: 'MailerJob',
      reason: 'failed',
      errorClass: 'SmtpError',
      errorMessage: 'timeout',
      originalQueue: 'mailers',
      originalRoutingKey: 'mailers',
      deadAt: '2026-01-01T00:00:00.000Z',
      executions: 5,
    });
  });

  it('describes what the broker dead-lettered from x-death: a quorum delivery limit, an undeliverable delayed job', () => {
    const limited = describeDeadLetter(
      message({
        messageId: 'job-2',
        headers: {
          'warren-queue': 'payments',
          'x-death': [
            { queue: 'payments', reason: 'delivery_limit', count: 1, time: { '!': 'timestamp', value: 1_767_225_600 }, 'routing-keys': ['payments'] },
          ],
        },
      }),
    );
    expect(limited).toMatchObject({ reason: 'delivery-limit', originalQueue: 'payments', originalRoutingKey: 'payments', deadAt: '2026-01-01T00:00:00.000Z' });
    const undeliverable = describeDeadLetter(message({ headers: { 'warren-queue': 'gone', 'x-death': [{ queue: 'warren.delay.05', reason: 'expired' }] } }));
    expect(undeliverable).toMatchObject({ reason: 'undeliverable', originalQueue: 'gone' });
  });

  it('never copies the broker dead-lettering record, CC routing keys or the due time onto a message it publishes again', () => {
    const headers = republishedHeaders({
      'x-death': [{}],
      'x-first-death-queue': 'q',
      'x-last-death-reason': 'expired',
      CC: ['5>2', '=mailers'],
      BCC: ['x'],
      'warren-due-at': 1,
      'warren-version': '0.1.0',
      tenant: 'acme',
    });
    expect(headers).toEqual({ 'warren-version': '0.1.0', tenant: 'acme' });
    const properties = republishedProperties(
      { messageId: 'job-3', type: 'MailerJob', contentType: 'application/json', priority: 7, headers: {} } as unknown as Message['properties'],
      headers,
    );
    expect(properties).toMatchObject({ messageId: 'job-3', type: 'MailerJob', contentType: 'application/json', priority: 7, persistent: true, headers });
  });
});
