import { performEnqueuedJobs, TestAdapter } from '../../src/testing/index.js';
import { defineAdapterConformance } from './adapter-conformance.js';

defineAdapterConformance('test', ({ registry, onJobFailed }) => {
  const adapter = new TestAdapter({ registry });
  // performEnqueuedJobs stops at a job's error (as Rails does); a worker would record the
  // failure and go on, so drain does that until nothing is left.
  const drain = async (): Promise<void> => {
    while (adapter.enqueuedJobs.length > 0) {
      try {
        await performEnqueuedJobs(adapter, { untilEmpty: true });
      } catch (error) {
        onJobFailed(error);
      }
    }
  };
  return { adapter, delays: 'recorded', drain, close: async () => adapter.clear() };
});
