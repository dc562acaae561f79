export { AsyncAdapter, type AsyncAdapterOptions } from './async-adapter.js';
