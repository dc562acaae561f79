import { describe, expect, it } from 'vitest';
import { type Envelope, HEADERS } from '../../../src/index.js';
import { jobMessageProperties } from '../../../src/amqp/message.js';
import { WARREN_VERSION } from '../../../src/support/package-info.js';
import { envelopeOf } from '../../support/envelope.js';

function envelope(queue: string, executions: number, id = 'a1'): Envelope {
  return envelopeOf('MailJob', [], { job_id: id, queue_name: queue, executions, enqueued_at: '2026-11-23T09:00:00.000000000Z' });
}

describe('jobMessageProperties', () => {
  it("writes the job's identity, the codec and warren's headers", () => {
    const properties = jobMessageProperties(envelope('mailers', 2), 'application/json', 5);
    expect(properties).toMatchObject({ messageId: 'a1', type: 'MailJob', contentType: 'application/json', persistent: true, priority: 5, appId: 'warren' });
    expect(properties.headers).toEqual({ [HEADERS.version]: WARREN_VERSION, [HEADERS.queue]: 'mailers', [HEADERS.executions]: 2 });
  });

  // amqplib turns every headers object into a prototype (Object.create): sharing them keeps
  // per-job objects out of the old generation (bench/README.md).
  it('shares one frozen headers object between jobs of the same queue and execution count', () => {
    const first = jobMessageProperties(envelope('shared-q', 0, 'a'), 'application/json', undefined).headers as object;
    const second = jobMessageProperties(envelope('shared-q', 0, 'b'), 'application/json', undefined).headers as object;
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(jobMessageProperties(envelope('shared-q', 1), 'application/json', undefined).headers).not.toBe(first);
    expect(jobMessageProperties(envelope('other-q', 0), 'application/json', undefined).headers).not.toBe(first);
  });

  it('builds headers of its own when there are extra headers (a due time, a signature), warren’s own over them', () => {
    const extra = { 'warren-due-at': 123, [HEADERS.queue]: 'not this one' };
    const headers = jobMessageProperties(envelope('shared-q', 0), 'application/json', undefined, extra).headers as Record<string, unknown>;
    expect(Object.isFrozen(headers)).toBe(false);
    expect(headers).toEqual({ 'warren-due-at': 123, [HEADERS.version]: WARREN_VERSION, [HEADERS.queue]: 'shared-q', [HEADERS.executions]: 0 });
    expect(extra[HEADERS.queue]).toBe('not this one');
  });

  it('does not share headers for unusual execution counts', () => {
    const many = jobMessageProperties(envelope('shared-q', 500), 'application/json', undefined).headers as object;
    expect(Object.isFrozen(many)).toBe(false);
    expect(many).toMatchObject({ [HEADERS.executions]: 500 });
  });
});
