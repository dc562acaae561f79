// warren/testing: helpers for application tests (the test adapter and assertions).
export { TestAdapter, type RecordedJob, type TestAdapterOptions } from '../adapters/test/test-adapter.js';
export { clearMemoryUniqueLocks } from '../job/unique-job.js';
export { assertEnqueued, assertNotEnqueued, assertPerformed, clearJobs, enqueuedJobs, performedJobs } from './assertions.js';
export type { JobFilter } from './job-filter.js';
export { resetConfiguration } from '../config/configuration.js';
export { resetArgumentRegistries } from '../envelope/arguments.js';
export { performEnqueuedJobs, type PerformEnqueuedJobsOptions } from './perform-enqueued-jobs.js';
