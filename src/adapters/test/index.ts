export { TestAdapter, type RecordedJob, type TestAdapterOptions } from './test-adapter.js';
