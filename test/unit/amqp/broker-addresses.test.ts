import { afterEach, describe, expect, it } from 'vitest';
import { describeAmqpUrls, resolveAmqpUrl, resolveAmqpUrls } from '../../../src/amqp/connection.js';
import { ConfigurationError } from '../../../src/errors.js';

describe('broker addresses', () => {
  const saved = process.env.AMQP_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.AMQP_URL;
    else process.env.AMQP_URL = saved;
  });

  it('takes a list, or one string of several separated by commas, in order', () => {
    expect(resolveAmqpUrls(['amqp://a:1', 'amqp://b:2'])).toEqual(['amqp://a:1', 'amqp://b:2']);
    expect(resolveAmqpUrls('amqp://u:p@a:5681, amqp://u:p@b:5682,amqps://u:p@c:5683')).toEqual([
      'amqp://u:p@a:5681',
      'amqp://u:p@b:5682',
      'amqps://u:p@c:5683',
    ]);
    expect(resolveAmqpUrl('amqp://a:1,amqp://b:2')).toBe('amqp://a:1');
  });

  it('does not split a comma inside an address (a password may hold one)', () => {
    expect(resolveAmqpUrls('amqp://user:pa,ss@host:5672/vhost')).toEqual(['amqp://user:pa,ss@host:5672/vhost']);
  });

  it('reads AMQP_URL, comma-separated, when no url is given; an empty AMQP_URL counts as unset', () => {
    process.env.AMQP_URL = 'amqp://a:1,amqp://b:2';
    expect(resolveAmqpUrls()).toEqual(['amqp://a:1', 'amqp://b:2']);
    process.env.AMQP_URL = '';
    expect(resolveAmqpUrls()).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
  });

  it('refuses an empty list with a ConfigurationError, and describes every address without its password', () => {
    expect(() => resolveAmqpUrls([])).toThrow(ConfigurationError);
    expect(() => resolveAmqpUrls(' ')).toThrow(/no broker URL/);
    expect(describeAmqpUrls(['amqp://u:secret@a:1', 'amqp://u:secret@b:2'])).toBe('amqp://u:***@a:1, amqp://u:***@b:2');
    expect(describeAmqpUrls([])).toBe('(no broker URL)');
  });
});
