/**
 * `warren/rabbitmq`: broker-level tools, for operators and for code that works with RabbitMQ
 * beside warren (publishing warren jobs by hand, declaring or checking topology, choosing a
 * delay scheduler). An application that enqueues and performs jobs needs only `warren`.
 */

// Connections and messages
export { redactUrl } from './support/redact.js';
export { resolveAmqpUrl } from './amqp/connection.js';
export { HEADERS } from './amqp/message.js';
export { EnvelopeSigner, signatureOf } from './amqp/signing.js';

// Delayed delivery: the schedulers a Worker or AmqpAdapter can be given (`delays`)
export { immediateOnly, type DelayedJob, type PublishTarget } from './amqp/delay/scheduler.js';
export { DelayLadder, type LadderPlacement } from './amqp/delay/ladder.js';
export { TtlQueueDelays, type TtlQueueDelaysOptions } from './amqp/delay/ttl-queues.js';
export { DELAY_HEADERS } from './amqp/delay/hold.js';

// Topology: plan (no broker), apply and verify (against one)
export { ensureQueue, planTopology, resolveRoute, toBrokerPriority, type TopologyPlan } from './topology/index.js';
export {
  applyTopology,
  verifyTopology,
  type ApplyReport,
  type ApplyTopologyOptions,
  type DriftEntry,
  type DriftReport,
  type VerifyTopologyOptions,
} from './amqp/topology/index.js';
