import { AsyncAdapter } from '../../src/index.js';
import { defineAdapterConformance } from './adapter-conformance.js';

defineAdapterConformance('async', ({ registry, onJobFailed }) => {
  const adapter = new AsyncAdapter({ registry, onError: onJobFailed });
  return { adapter, delays: 'honored', drain: () => adapter.drain(), close: () => adapter.close() };
});
