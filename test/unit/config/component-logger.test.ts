import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { componentLogger } from '../../../src/config/logger.js';

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString().trim()), done()) });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Every key of every object in a JSON text, in order, duplicates kept (JSON.parse would hide them). */
function keysOf(line: string): string[] {
  return [...line.matchAll(/"([^"\\]+)":/g)].map((match) => match[1]!);
}

describe('componentLogger', () => {
  it('tags a part of warren with `component` once, and a part of a part with `subcomponent`: no duplicate JSON keys', () => {
    const { logger, lines } = capture();
    const worker = componentLogger(logger, 'worker');
    const connection = componentLogger(worker, 'amqp', { role: 'consumer', endpoint: 'amqp://127.0.0.1:5672' });
    connection.info('connected');
    worker.info('ready');
    const keys = keysOf(lines[0]!);
    expect(keys.filter((key) => key === 'component')).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'worker', subcomponent: 'amqp', role: 'consumer', msg: 'connected' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ component: 'worker', msg: 'ready' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('subcomponent');
  });

  it('a logger without a component gets one', () => {
    const { logger, lines } = capture();
    componentLogger(logger, 'amqp-adapter').info('x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ component: 'amqp-adapter' });
  });
});
