// The pure half of topology: load (YAML/JSON) -> validate -> defaults, routes, plan. Nothing
// here talks to the broker; that half (assert, apply, verify, inspect) is src/amqp/topology/.
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
} from './topology-errors.js';
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
  type DefaultTopologyOptions,
  type TopologyAdditions,
} from './default-topology.js';
export { queueMaxPriority, resolveRoute, routeReachesQueue, routeReachesSomeQueue, topologyForQueue } from './routes.js';
export { toBrokerPriority, unprioritizedBrokerPriority } from './broker-priority.js';
export { jobQueues, type JobQueuesOptions } from './job-queues.js';
export { exchangeDeclaration, queueArguments, queueDeclaration, type ExchangeDeclaration, type QueueDeclaration } from './declarations.js';
export { planTopology, type PlannedDeclaration, type PlannedRoute, type TopologyPlan } from './plan.js';
