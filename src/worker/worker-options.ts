import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import type { AmqpConnectionOptions } from '../amqp/connection.js';
import type { DelayScheduler } from '../amqp/delay/scheduler.js';
import type { SigningOptions } from '../amqp/signing.js';
import type { PresenceOptions } from '../presence/worker-presence.js';
import type { JobRegistry } from '../job/registry.js';
import type { Schedule, ScheduleDefinition } from '../schedule/index.js';
import type { Topology } from '../topology/index.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';

export interface WorkerOptions extends AmqpConnectionOptions {
  /** The jobs this worker may perform; nothing outside it is ever instantiated. Required. */
  registry: JobRegistry;
  /**
   * Queues to consume. Default: every job queue of `topology` (not the dead-letter queue, not
   * warren's delay queues, not `consume: false`), then every queue a registered job declares
   * with a static `queueAs`; DEFAULTS.queueName when that leaves none. Queues the topology
   * does not list are declared if missing. At start the worker warns about registered jobs
   * whose queue it does not consume.
   */
  queues?: readonly string[];
  /**
   * Jobs performed at once per queue; also the broker prefetch of each queue's consumer.
   * A worker on 3 queues runs up to 3 × concurrency jobs. Default: DEFAULTS.amqp.concurrency.
   */
  concurrency?: number;
  /** Topology asserted on the consuming connection and used for retries. Default: `defaultTopology()`. */
  topology?: Topology;
  /**
   * How long a graceful stop lets in-flight jobs finish before aborting their signals and
   * closing (unfinished deliveries are redelivered). Default: DEFAULTS.amqp.shutdownTimeoutMs.
   */
  shutdownTimeoutMs?: number;
  /**
   * Where retries and dead letters are published. Default: an AmqpAdapter with this
   * worker's connection options and topology, on its own publishing connection, closed by
   * `stop()`. An adapter passed here is not closed by the worker.
   */
  adapter?: AmqpAdapter;
  /**
   * The delay mechanism for retries, and the delay topology asserted with the queues (so delayed
   * jobs reach queues this worker declares). Default: `new DelayLadder({ deadLetterQueue })`.
   * Producers and workers must use the same ladder options (prefix, levels). When `adapter` is
   * given, give it the same scheduler.
   */
  delays?: DelayScheduler;
  /**
   * A delayed job that arrives at most this early is held (unacked, occupying one prefetch slot
   * of `concurrency`) until its `warren-due-at` time, then performed: never before. One that
   * arrives earlier still is published into the delay ladder again for the rest of its wait and
   * acked once that is confirmed. The worker's due-job forwarder holds a job that left the ladder
   * early for at most this long too before it puts it into its queue. Default: DEFAULTS.delay.maxHoldMs.
   */
  maxHoldMs?: number;
  /**
   * Forward due jobs from the delay ladder's due queue into their queues (see DueForwarder), on a
   * channel of its own with this prefetch; 0 turns forwarding off in this process (then another
   * worker must run it, or delayed jobs wait in the due queue). Default: DEFAULTS.delay.forwardPrefetch.
   */
  forwardPrefetch?: number;
  /**
   * Keep retrying when the broker refuses the login or TLS verification fails at start-up.
   * Default false: `start()` rejects with ConnectionRefusedError at the first such refusal, as a
   * wrong password is not fixed by waiting (a broker that is down or starting is retried either way).
   */
  retryRefusedConnection?: boolean;
  /** Queue that receives dead letters. Default: DEFAULTS.amqp.deadLetterQueue. */
  deadLetterQueue?: string;
  /** Delay before a delivery is requeued when its dead-letter publish failed. Default: DEFAULTS.amqp.deadLetterRetryDelayMs. */
  deadLetterRetryDelayMs?: number;
  /** Bodies above this size are dead-lettered without being decoded. Default: DEFAULTS.maxMessageBytes. */
  maxMessageBytes?: number;
  /**
   * Signed envelopes (see amqp/signing.ts): messages without a valid signature are dead-lettered
   * unread (reason `unsigned` or `bad-signature`; with `require: false` only bad signatures are),
   * and the retries this worker publishes are signed with `signWith`. Give producers the same keys.
   * Default: signatures are neither checked nor written.
   */
  signing?: SigningOptions;
  /**
   * Heartbeats and control (src/presence/): the worker publishes a heartbeat every few seconds
   * (host, pid, queues, running jobs with their progress, counts) and obeys quiet, stop and
   * cancel messages, signed ones only when `signing` is set. `false` turns both off. Default: on,
   * every DEFAULTS.presence.heartbeatIntervalMs.
   */
  presence?: false | PresenceOptions;
  /** Continuable jobs (`this.step`): when they are asked to stop, and how often their progress is saved for a crash. */
  continuation?: ContinuationOptions;
  /**
   * Recurring jobs (cron or intervals) this worker may enqueue when it leads its scheduler group:
   * definitions, or schedules from loadSchedules. Of all the workers given schedules in one group
   * (on one vhost), exactly one leads at a time and enqueues each tick once; the others stand by
   * and one of them takes over within seconds when the leader goes. Every worker of a group should
   * be given the same schedules. See src/worker/scheduler.ts and the README's "Recurring jobs".
   */
  schedules?: readonly (ScheduleDefinition | Schedule)[];
  /** The workers that share one leader (DEFAULTS.schedule.group: 'default'): separate apps on one vhost use their own. */
  schedulerGroup?: string;
  /**
   * Stop gracefully on SIGTERM and SIGINT (a second signal aborts in-flight jobs at once).
   * Default: true, as job worker processes expect; pass false when embedding the worker.
   */
  handleSignals?: boolean;
}

/**
 * How a worker treats continuable jobs. The broker closes the channel of a delivery left unacked
 * longer than its consumer timeout and delivers the job again; a continuable job is asked to stop
 * before that, at its next checkpoint, and goes on in a new delivery.
 */
export interface ContinuationOptions {
  /**
   * The broker's consumer timeout for queues whose topology entry sets no `consumerTimeout`: set
   * it when the broker's `consumer_timeout` is not RabbitMQ's default (AMQP cannot read it).
   * Default: DEFAULTS.amqp.brokerConsumerTimeoutMs (30 minutes).
   */
  consumerTimeoutMs?: number;
  /**
   * How long before the consumer timeout the job is asked to stop. Default: the smaller of
   * DEFAULTS.continuation.interruptMarginMs (1 minute) and a fifth of the timeout.
   */
  interruptMarginMs?: number;
  /** Progress is saved for a crash at a checkpoint at most this often. Default: DEFAULTS.continuation.checkpointIntervalMs. */
  checkpointIntervalMs?: number;
}

/** The worker's numeric options with their defaults, checked (ConfigurationError names the bad one). */
export function workerNumbers(options: WorkerOptions): { concurrency: number; forwardPrefetch: number; maxHoldMs: number; heartbeatIntervalMs: number } {
  const concurrency = options.concurrency ?? DEFAULTS.amqp.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 65_535) {
    throw new ConfigurationError(`concurrency must be an integer from 1 to 65535, not ${String(options.concurrency)}`);
  }
  const forwardPrefetch = options.forwardPrefetch ?? DEFAULTS.delay.forwardPrefetch;
  if (!Number.isInteger(forwardPrefetch) || forwardPrefetch < 0 || forwardPrefetch > 65_535) {
    throw new ConfigurationError(`forwardPrefetch must be an integer from 0 to 65535, not ${String(options.forwardPrefetch)}`);
  }
  const maxHoldMs = options.maxHoldMs ?? DEFAULTS.delay.maxHoldMs;
  if (!(maxHoldMs >= 0)) throw new ConfigurationError(`maxHoldMs must be a number of milliseconds >= 0, not ${String(options.maxHoldMs)}`);
  const intervalMs = options.presence === false ? undefined : options.presence?.heartbeatIntervalMs;
  if (intervalMs !== undefined && !(Number.isInteger(intervalMs) && intervalMs >= 100)) {
    throw new ConfigurationError(`presence.heartbeatIntervalMs must be an integer number of ms >= 100, not ${String(intervalMs)}`);
  }
  return { concurrency, forwardPrefetch, maxHoldMs, heartbeatIntervalMs: intervalMs ?? DEFAULTS.presence.heartbeatIntervalMs };
}
