import { expect, it, inject } from 'vitest';
import { DEFAULTS } from '../../src/index.js';

it('exposes frozen defaults and a broker URL to tests', () => {
  expect(Object.isFrozen(DEFAULTS)).toBe(true);
  expect(inject('amqpUrl')).toMatch(/^amqps?:\/\//);
});
