/**
 * warren's public API, what an application imports: everything is listed here by name;
 * anything not listed is internal. Test helpers live in `warren/testing` (src/testing/index.ts),
 * broker-level tools in `warren/rabbitmq` (src/rabbitmq.ts).
 *
 * The flow a job takes, and the folders that hold each step:
 *   Job class / handler (job/, handlers/) -> performLater (job/enqueuing.ts) -> envelope (envelope/)
 *   -> adapter (adapters/) -> RabbitMQ (amqp/, topology/) -> worker (worker/)
 */

// Configuration
export { DEFAULTS } from './config/defaults.js';
export { configure, settings, type WarrenSettings } from './config/configuration.js';
export { defaultLogFormat, logDestination, type LogFormat } from './config/logger.js';

// Errors
export {
  AdapterError,
  ConfigurationError,
  ConnectionRefusedError,
  DeserializationError,
  DuplicateJobError,
  EnqueueError,
  EnvelopeError,
  ContinuationError,
  InvalidStepError,
  JobCancelledError,
  JobInterruptedError,
  JobTimeoutError,
  ResumeLimitError,
  ScheduleError,
  UnadvanceableCursorError,
  type InterruptReason,
  RegistrationError,
  SerializationError,
  SignatureError,
  TopologyError,
  UndeliverableJobError,
  UnknownJobError,
  UnroutableError,
  UnencodableMessageError,
  WarrenError,
} from './errors.js';

// Jobs
export { Job } from './job/job.js';
export { abort, CallbackAbort } from './job/callbacks.js';
export { JobRegistry, type JobDescriptor } from './job/registry.js';
export { executeEnvelope, type ExecuteOptions, type ExecutionOutcome, type ExecutionResult } from './job/execution.js';
export { currentLocale, currentTimezone, withLocale, withTimezone } from './job/context.js';
export { polynomiallyLonger } from './job/backoff.js';
export type { AroundCallback, JobCallback } from './job/callbacks.js';
export type { JobErrorHandler, RescueHandler, RetryOptions } from './job/exceptions.js';
export type { ErrorClass, JobClass, PerformArgs, PerformResult } from './job/job-class.js';
export type { QueueNameSetting } from './job/queue-name.js';
export { Step } from './job/continuation/step.js';
export type { ConcurrencyLimit, RateLimit } from './job/flow-limits.js';
export type { UniqueOptions } from './job/unique-job.js';
export type { ResumeOptions, StepBody, StepOptions } from './job/continuation/continuable.js';
export type { PrioritySetting } from './job/queue-priority.js';

// Named handlers (Buffalo-style worker interface)
export { HandlerWorker, type HandlerWorkerOptions } from './handlers/handler-worker.js';
export type { EnqueuedHandlerJob, Handler, HandlerArgs, HandlerContext, HandlerJob, HandlerOptions, HandlerRetryOptions } from './handlers/handler.js';

// Enqueueing
export { performAllLater } from './job/perform-all-later.js';
export type { ConfiguredJob } from './job/configured-job.js';
export type { SetOptions } from './job/set-options.js';

// Envelope and arguments
export { CONTENT_TYPES, ENVELOPE_VERSION, type Envelope, type EnvelopeCodec, type JsonValue, type WireContinuation } from './envelope/envelope.js';
export { deserializeArguments, serializeArguments, type SerializeArgumentsOptions } from './envelope/arguments.js';
export { codecFor, createJsonCodec, createProtobufCodec, jsonCodec, protobufCodec, type CodecOptions } from './envelope/codecs/index.js';
export { GlobalId, type GlobalIdentification } from './envelope/global-id.js';
export { registerLocator, type RecordLocator } from './envelope/locators.js';
export { registerSerializer } from './envelope/serializers/custom.js';
export type { ArgumentSerializer, DeserializeContext, RailsCompatibility, SerializeContext, WireHash } from './envelope/serializers/serializer.js';
export { asKeywordArguments, rubyHashForm, withIndifferentAccess, withSymbolKeys, type RubyHashForm, type RubyHashKind } from './envelope/ruby-hash.js';
export { CalendarDate } from './envelope/values/calendar-date.js';
export { Decimal } from './envelope/values/decimal.js';
export { Duration, type DurationParts, type DurationUnit } from './envelope/values/duration.js';
export { RubyDateTime } from './envelope/values/ruby-date-time.js';
export { RubyRange } from './envelope/values/ruby-range.js';
export { RubySymbol } from './envelope/values/ruby-symbol.js';
export { RubyFloat } from './envelope/values/ruby-float.js';
export { RubyTime } from './envelope/values/ruby-time.js';
export { RubyModule } from './envelope/values/ruby-module.js';
export { ZonedTime } from './envelope/values/zoned-time.js';

// Adapters
export type { BulkItem, BulkOutcome, EnqueueReceipt, QueueAdapter } from './adapters/adapter.js';
export { InlineAdapter, type InlineAdapterOptions } from './adapters/inline/inline-adapter.js';
export { AsyncAdapter, type AsyncAdapterOptions } from './adapters/async/async-adapter.js';
export { AmqpAdapter } from './adapters/amqp/amqp-adapter.js';
export type { AmqpAdapterOptions } from './adapters/amqp/amqp-adapter-options.js';

// RabbitMQ: the options and results an application passes around. Broker-level tools (the
// delay schedulers, header names, topology plan/apply/verify, signing primitives) are in
// `warren/rabbitmq` (src/rabbitmq.ts).
export type { AmqpConnectionOptions, AmqpUrl, ConnectionEvents } from './amqp/connection.js';
export type { SigningOptions } from './amqp/signing.js';
export type { AmqpTlsOptions } from './amqp/tls.js';
export type { DelayScheduler } from './amqp/delay/scheduler.js';
export type { DelayOptions } from './amqp/delay/delay-options.js';
export { DeadLetterQueue, type DeadLetterFilter, type DeadLetterQueueOptions, type RetryReport } from './adapters/amqp/dead-letter-queue.js';
export type { DeadLetter } from './amqp/dead-letters/dead-letter-message.js';

// Topology files
export { TopologyDriftError, TopologyValidationError } from './topology/index.js';
export {
  defaultTopology,
  loadTopology,
  parseTopology,
  type BindingSpec,
  type DefaultTopologyOptions,
  type ExchangeSpec,
  type QueueSpec,
  type QueueType,
  type RouteSpec,
  type Topology,
} from './topology/index.js';

// Moved to `warren/rabbitmq` in 0.2 (CHANGELOG): still exported here so that code written for
// 0.1 keeps working; import them from `warren/rabbitmq`. These re-exports go in 0.3.
export { redactUrl } from './support/redact.js';
export { resolveAmqpUrl } from './amqp/connection.js';
export { HEADERS } from './amqp/message.js';
export { EnvelopeSigner, signatureOf } from './amqp/signing.js';
export { immediateOnly, type DelayedJob, type PublishTarget } from './amqp/delay/scheduler.js';
export { DelayLadder, type LadderPlacement } from './amqp/delay/ladder.js';
export { TtlQueueDelays, type TtlQueueDelaysOptions } from './amqp/delay/ttl-queues.js';
export { DELAY_HEADERS } from './amqp/delay/hold.js';
export { ensureQueue, planTopology, resolveRoute, toBrokerPriority, type TopologyPlan } from './topology/index.js';
export { applyTopology, verifyTopology, type DriftReport } from './amqp/topology/index.js';

// Worker
export { Worker } from './worker/worker.js';
export type { ContinuationOptions, WorkerOptions } from './worker/worker-options.js';
export type { DeadLetterReason, DeliveryInfo, WorkerEvents } from './worker/events.js';
export type { PresenceOptions } from './presence/worker-presence.js';

// Recurring jobs (cron, intervals): the worker option `schedules`; `warren schedule list|plan`.
export {
  loadSchedules,
  planTicks,
  tickJobId,
  toSchedule,
  toSchedules,
  type MissedTickPolicy,
  type Schedule,
  type ScheduleDefinition,
  type TickPlan,
} from './schedule/index.js';
export type { JobProgress } from './job/internal-state.js';

// Metrics (Prometheus): prom-client is an optional peer dependency, loaded only by `new WarrenMetrics()`.
export { WarrenMetrics, type WarrenMetricsOptions } from './metrics/warren-metrics.js';
export { metricsHandler, serveMetrics, type MetricsServer, type ScrapedRegistry, type ServeMetricsOptions } from './metrics/metrics-http.js';
export type { Listenable, ObservedAdapter, ObservedWorker } from './metrics/observed.js';
export type { MetricsRegistry } from './metrics/prom-client.js';
