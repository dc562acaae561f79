export { InlineAdapter, type InlineAdapterOptions } from './inline-adapter.js';
