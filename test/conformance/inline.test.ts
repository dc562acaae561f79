import { InlineAdapter } from '../../src/index.js';
import { defineAdapterConformance } from './adapter-conformance.js';

defineAdapterConformance('inline', ({ registry, onJobFailed }) => ({
  adapter: new InlineAdapter({ registry, onError: onJobFailed }),
  delays: 'refused',
  // Jobs run inside performLater; by the time a scenario drains, they are done.
  drain: async () => {},
  close: async () => {},
}));
