// The topology module: load (YAML/JSON) -> validate -> plan / apply / verify, and the
// functions the AMQP adapter and worker use (assertTopology, ensureQueue, resolveRoute...).
export type {
  BindingSpec,
  DeclarationOrigin,
  DeclarationSource,
  ExchangeSpec,
  ExchangeType,
  QueueSpec,
  QueueType,
  RouteSpec,
  Topology,
} from './types.js';
export {
  TopologyDriftError,
  TopologyValidationError,
  formatIssue,
  type ArgumentDifference,
  type DeclarationConflict,
  type TopologyIssue,
} from './errors.js';
export { loadTopology, parseTopology } from './load.js';
export { validateTopology, MAX_MESSAGE_TTL_MS, MAX_PRIORITY_LIMIT } from './validate.js';
export {
  TOPOLOGY_DEFAULTS,
  defaultExchangeSpec,
  defaultQueueSpec,
  defaultTopology,
  ensureQueue,
  extendTopology,
  withQueues,
  type TopologyAdditions,
} from './defaults.js';
export { queueMaxPriority, resolveRoute, routeReachesQueue, routeReachesSomeQueue, topologyForQueue } from './routes.js';
export { toBrokerPriority, unprioritizedBrokerPriority } from './priority.js';
export { jobQueues, type JobQueuesOptions } from './job-queues.js';
export { exchangeDeclaration, queueArguments, queueDeclaration, type ExchangeDeclaration, type QueueDeclaration } from './declarations.js';
export {
  assertTopology,
  withAdoptedQueues,
  type AdoptedQueue,
  type AssertTopologyOptions,
  type AssertTopologyResult,
} from './assert.js';
export type { ProbeConnection } from './channels.js';
export type { BrokerTarget, BrokerTargetOptions } from './broker.js';
export { planTopology, type PlannedDeclaration, type PlannedRoute, type TopologyPlan } from './plan.js';
export { applyTopology, type ApplyAction, type ApplyEntry, type ApplyReport, type ApplyTopologyOptions } from './apply.js';
export { verifyTopology, type DriftEntry, type DriftReport, type DriftStatus, type VerifyTopologyOptions } from './verify.js';
