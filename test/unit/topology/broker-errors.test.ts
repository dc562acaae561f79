import { describe, expect, it } from 'vitest';
import { brokerReplyText, brokerValueToJs, parseInequivalentArgument, parseInvalidArgument, UNREADABLE } from '../../../src/amqp/topology/broker-errors.js';
import { topicMatches } from '../../../src/topology/routes.js';

// Messages as amqplib reports them from RabbitMQ 3.10.
const amqplibError = (text: string): Error =>
  Object.assign(new Error(`Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ${text}"`), { code: 406 });

describe("reading RabbitMQ's 406 replies", () => {
  it('reads both values when they have the same type', () => {
    const error = amqplibError("inequivalent arg 'x-max-priority' for queue 'q' in vhost '/': received '10' but current is '5'");
    const parsed = parseInequivalentArgument(error);
    expect(parsed).toEqual({
      argument: 'x-max-priority',
      received: { present: true, text: '10', amqpType: undefined },
      current: { present: true, text: '5', amqpType: undefined },
    });
    expect(parsed && brokerValueToJs(parsed.current, 10)).toBe(5);
  });

  it('reads an argument the queue does not have, and one the declaration does not have', () => {
    const missingOnBroker = parseInequivalentArgument(
      amqplibError("inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received the value '1000' of type 'short' but current is none"),
    );
    expect(missingOnBroker?.current).toEqual({ present: false });
    expect(missingOnBroker && brokerValueToJs(missingOnBroker.current, 1000)).toBeUndefined();

    const missingInDeclaration = parseInequivalentArgument(
      amqplibError("inequivalent arg 'x-queue-type' for queue 'q' in vhost '/': received none but current is the value 'quorum' of type 'longstr'"),
    );
    expect(missingInDeclaration && brokerValueToJs(missingInDeclaration.current, undefined)).toBe('quorum');
  });

  it('reads durable and exchange type differences', () => {
    const durable = parseInequivalentArgument(amqplibError("inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is 'true'"));
    expect(durable && brokerValueToJs(durable.current, false)).toBe(true);
    const type = parseInequivalentArgument(amqplibError("inequivalent arg 'type' for exchange 'x' in vhost 'prod': received 'topic' but current is 'direct'"));
    expect(type && brokerValueToJs(type.current, 'topic')).toBe('direct');
  });

  it('marks values it cannot turn back into arguments', () => {
    expect(brokerValueToJs({ present: true, text: '[...]', amqpType: 'array' }, undefined)).toBe(UNREADABLE);
  });

  it('reads arguments a queue type refuses', () => {
    const error = amqplibError("invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue");
    expect(parseInvalidArgument(error)).toEqual({ argument: 'x-max-priority', reason: 'quorum queues do not take it' });
    expect(brokerReplyText(error)).toBe("invalid arg 'x-max-priority' for queue 'q' in vhost '/' of queue type rabbit_quorum_queue");
  });

  it('returns undefined for replies it does not know', () => {
    expect(parseInequivalentArgument(amqplibError('something new'))).toBeUndefined();
    expect(parseInvalidArgument(amqplibError('something new'))).toBeUndefined();
  });
});

describe('topicMatches', () => {
  it('follows RabbitMQ topic rules: * one word, # zero or more', () => {
    expect(topicMatches('mail.*', 'mail.welcome')).toBe(true);
    expect(topicMatches('mail.*', 'mail')).toBe(false);
    expect(topicMatches('reports.#', 'reports')).toBe(true);
    expect(topicMatches('reports.#', 'reports.daily.pdf')).toBe(true);
    expect(topicMatches('#', 'anything.at.all')).toBe(true);
    expect(topicMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(topicMatches('a.*.c', 'a.b.d')).toBe(false);
  });
});
