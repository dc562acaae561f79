// The broker half of topology: assert (at start-up and on every reconnect), apply, verify and
// inspect against a running RabbitMQ. The pure half (types, load, validate, plan) is src/topology/.
export {
  assertTopology,
  withAdoptedQueues,
  type AdoptedQueue,
  type AssertTopologyOptions,
  type AssertTopologyResult,
} from './assert.js';
export type { ProbeConnection } from './channels.js';
export type { BrokerTarget, BrokerTargetOptions } from './broker.js';
export { applyTopology, type ApplyAction, type ApplyEntry, type ApplyReport, type ApplyTopologyOptions } from './apply.js';
export { verifyTopology, type DriftEntry, type DriftReport, type DriftStatus, type VerifyTopologyOptions } from './verify.js';
