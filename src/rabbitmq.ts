/**
 * `warren/rabbitmq`: broker-level tools, for operators and for code that works with RabbitMQ
 * beside warren (publishing warren jobs by hand, declaring or checking topology, choosing a
 * delay scheduler). An application that enqueues and performs jobs needs only `warren`.
 */

// Connections and messages
export { redactUrl } from './support/redact.js';
export { describeAmqpUrls, resolveAmqpUrl, resolveAmqpUrls } from './amqp/connection.js';
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

// Seeing and steering workers: heartbeats and control messages (src/presence/)
export { WorkerMonitor, type WorkerMonitorOptions, type WorkerTarget } from './presence/worker-monitor.js';
export type {
  CancelReport,
  QueueActivity,
  RetryNotice,
  RunningJobReport,
  WorkerHeartbeat,
  WorkerState,
} from './presence/heartbeat.js';
export type { ControlCommand } from './presence/control-message.js';

// `warren stats` read from code: queues, delayed jobs per due window, dead letters per reason, live workers (src/stats/)
export { StatsReader, type StatsReaderOptions } from './stats/stats-reader.js';
export type { DeadLetterStats, DelayWindowStats, QueueStats, StatsSnapshot } from './stats/stats-snapshot.js';

// The dashboard (src/web/): served by `warren web` (startDashboard), or mounted in an application's own server (createDashboard)
export { createDashboard, startDashboard } from './web/dashboard.js';
export type { Dashboard, DashboardHandler } from './web/dashboard-handler.js';
export type { RunningDashboard } from './web/dashboard-server.js';
export type { DashboardOptions, StartDashboardOptions } from './web/dashboard-options.js';
export type { DashboardAuth } from './web/auth.js';
export type { ArgumentsSubject, RedactArguments } from './web/present-arguments.js';
