import type { AmqpConnectionOptions } from '../../amqp/connection.js';
import type { DelayScheduler } from '../../amqp/delay/scheduler.js';
import type { SigningOptions } from '../../amqp/signing.js';
import type { EnvelopeEncoding } from '../../envelope/envelope.js';
import type { Topology } from '../../topology/index.js';

/** Options of the RabbitMQ adapter. Connection options (url, tls, heartbeats, reconnect) are shared with the worker. */
export interface AmqpAdapterOptions extends AmqpConnectionOptions {
  /**
   * Exchanges, queues, bindings and routes (see `loadTopology`). Default: `defaultTopology()`,
   * one durable direct exchange (DEFAULTS.amqp.exchange) with each job's queue declared on
   * first use and bound by its name. Load the same topology file where jobs are enqueued and
   * where they are performed, so priorities and routes agree.
   */
  topology?: Topology;
  /** Body encoding of published jobs: 'json' or 'protobuf'. Workers read both. Default: DEFAULTS.encoding ('json'). */
  encoding?: EnvelopeEncoding;
  /** Every publish settles (confirmed or EnqueueError) within this time. Default: DEFAULTS.amqp.publishTimeoutMs. */
  publishTimeoutMs?: number;
  /** How many times a publish the broker nacked is tried again. Default: DEFAULTS.amqp.publishNackRetries. */
  publishNackRetries?: number;
  /** A publishing channel that confirms nothing for this long is replaced, its publishes sent again. Default: DEFAULTS.amqp.confirmStallMs. */
  confirmStallMs?: number;
  /** Larger bodies are refused before publishing. Default: DEFAULTS.maxMessageBytes. */
  maxMessageBytes?: number;
  /**
   * Turns delayed enqueues (`set({ wait })`, `performAt`, retry waits) into publish targets.
   * Default: `new DelayLadder()`, the delay ladder of durable TTL queues (prefix
   * `warren.delay`; see amqp/delay/ladder.ts); producers and workers must use the same ladder
   * options. `new TtlQueueDelays()` is the older one-queue-per-delay mechanism;
   * `immediateOnly` refuses positive delays with an AdapterError. A job due now or in the
   * past is always published at once.
   */
  delays?: DelayScheduler;
  /**
   * Sign every published job: HMAC-SHA256 of the body in the `warren-signature` header (see
   * amqp/signing.ts and schemas/README.md), for workers that require signatures. Default: unsigned.
   */
  signing?: SigningOptions;
}
