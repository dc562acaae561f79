/**
 * Every default warren uses, in one place. Options elsewhere are documented
 * with a pointer here rather than a second copy of the value.
 */
export const DEFAULTS = Object.freeze({
  /** Queue used when a job declares none (Active Job's "default"). */
  queueName: 'default',
  /** Prepended to every queue name with the delimiter, when set (Active Job's queue_name_prefix). */
  queueNamePrefix: undefined as string | undefined,
  queueNameDelimiter: '_',
  /** Locale and timezone captured at enqueue when the caller set none. */
  locale: 'en',
  timezone: 'UTC',
  /** GlobalID app name: `gid://<app>/<Model>/<id>`. */
  globalIdApp: 'warren',
  /**
   * Which Rails must be able to read the arguments warren writes: '7.1' (Rails 7.1+, the
   * default) or '6.1' (Decimal as a bare string, no RangeSerializer; what Rails 6.1 cannot
   * read is refused at enqueue).
   */
  railsCompatibility: '7.1' as '6.1' | '7.1',
  /** The longest job_class, job_id, queue_name, locale or timezone a received envelope may carry (AMQP short strings hold 255 bytes). */
  maxEnvelopeNameChars: 255,
  /** Argument values are not logged unless the application opts in. */
  logArguments: false,
  /** Rails 7.1's verbose_enqueue_logs: the `enqueued` line names the caller's file:line. Off: it costs a stack trace per job. */
  verboseEnqueueLogs: false,

  /** retryOn: Active Job's defaults (3 s, 5 attempts, 15% jitter). */
  retryWaitMs: 3_000,
  retryAttempts: 5,
  retryJitter: 0.15,

  /** async adapter: in-process pool size. */
  asyncConcurrency: 5,
  /** performEnqueuedJobs({ untilEmpty: true }): rounds allowed before deciding jobs enqueue each other forever. */
  testMaxPerformRounds: 100,

  topology: Object.freeze({
    /**
     * `x-max-priority` of the queues warren declares for names no topology file lists: none.
     * Measured on RabbitMQ 3.10 (bench/README.md, "Queue kinds"): a classic queue with
     * x-max-priority 10 drains at about 0.6x the same queue without priorities, because each
     * level is a sub-queue. So priorities are opt-in, per queue, where the jobs need them: a
     * topology file sets `maxPriority` (0 to 10 maps Active Job's priorities one to one, see
     * toBrokerPriority). A job enqueued with a priority to a queue without priorities is
     * delivered in order, with a warning once per queue. (Version 1 declared 10 here: such a
     * queue is adopted as it is, never re-declared into a 406; docs/rabbitmq.md, "Migrating".)
     */
    defaultQueueMaxPriority: undefined as number | undefined,
    /**
     * Other arguments of those queues: classic queue version 2 (RabbitMQ 3.10+, the only
     * version from 4.0): 1.1-1.4x the enqueue and drain rate of version 1 here and less
     * memory per message. Older brokers store the argument and ignore it.
     */
    defaultQueueArguments: Object.freeze({ 'x-queue-version': 2 }) as Readonly<Record<string, unknown>>,
    /** Type of the queues warren declares for names no topology file lists. */
    defaultQueueType: 'classic' as const,
    /** Type of the default exchange (amqp.exchange) when no file declares it. */
    defaultExchangeType: 'direct' as const,
  }),

  /** Envelope limits: a body above this is refused before publishing and dead-lettered on receipt. */
  maxMessageBytes: 1024 * 1024,
  /**
   * How deep one argument may nest (arrays and hashes), both ways. Ruby's JSON.parse refuses a
   * document nested deeper than 100 levels (its default max_nesting), and an envelope's object
   * and arguments array take two of them: 98 is the deepest argument a Rails app writes that
   * Rails can read, so warren reads all of those and writes nothing a Rails consumer cannot parse.
   */
  maxArgumentDepth: 98,

  amqp: Object.freeze({
    url: 'amqp://guest:guest@127.0.0.1:5672',
    heartbeatSeconds: 10,
    reconnectMinMs: 250,
    reconnectMaxMs: 10_000,
    /** Every publish settles (confirmed or EnqueueError) within this time. */
    publishTimeoutMs: 10_000,
    /**
     * A publishing channel whose oldest unconfirmed publish waited this long is replaced and its
     * publishes sent again (same message ids) on a new one. A channel that stops confirming was
     * seen on a cluster node during a leader election; a blocked connection is not counted.
     */
    confirmStallMs: 5_000,
    /** Attempts for a publish the broker nacked. */
    publishNackRetries: 3,
    /**
     * enqueueAll (performAllLater) hands jobs to the channel this many at a time, with a turn
     * of the event loop between slices, so the broker works on the first while the rest are encoded.
     */
    bulkPublishSlice: 100,
    /** Default exchange jobs are published to; routing key = queue name. */
    exchange: 'warren',
    /** Worker prefetch when no concurrency is given. */
    concurrency: 10,
    /** Graceful stop: how long in-flight jobs may run after SIGTERM before the worker closes. */
    shutdownTimeoutMs: 30_000,
    /**
     * How long the one-shot readers (DeadLetterQueue, StatsReader, so `warren dead`, `warren stats`
     * and the dashboard) wait to connect: a listener that accepts TCP and never speaks AMQP
     * (a load balancer without a backend) fails them instead of hanging.
     */
    connectTimeoutMs: 10_000,
    /** RabbitMQ's own default consumer_timeout (30 minutes), used for the start-up warning. */
    brokerConsumerTimeoutMs: 30 * 60_000,
    /** One durable queue holds every dead letter (like Sidekiq's Dead set); headers name the original queue. */
    deadLetterQueue: 'warren.dead',
    /** When a dead-letter publish fails, the delivery is requeued (nack) after this delay instead of being lost. */
    deadLetterRetryDelayMs: 5_000,
    /** Error messages in dead-letter headers are cut to this many characters. */
    deadLetterMessageMaxChars: 1_000,
    /** Stack frames kept in a dead letter's `warren-error-backtrace` header (Sidekiq keeps a backtrace too). */
    deadLetterBacktraceFrames: 20,
    /** Pause before re-subscribing after the broker cancelled a consumer (queue deleted, consumer timeout). */
    resubscribeDelayMs: 1_000,
    /**
     * The alternative TtlQueueDelays scheduler (amqp/delay/ttl-queues.ts; the delay ladder, see
     * `delay` below, is the default): one generated TTL queue per (rounded delay, route), named
     * `<prefix>.<ttl>ms.<exchange>.<routing key>`. Used only when passed as `delays`.
     */
    ttlDelayQueuePrefix: 'warren.ttl-delay',
    /** Delays are rounded up to this many significant bits: at most 1/2^(bits-1) late (5 bits: 6.25%). */
    ttlDelayPrecisionBits: 5,
    /** The broker deletes an idle TTL delay queue this long after its last message could have left (x-expires = TTL + this). */
    ttlDelayQueueIdleMs: 60 * 60_000,
  }),

  /** Body encoding of published jobs: 'json' (Active Job's JSON) or 'protobuf'. */
  encoding: 'json' as 'json' | 'protobuf',

  /**
   * Continuable jobs (`this.step`, src/job/continuation/): long jobs that stop at a checkpoint
   * when asked and go on from there in a new delivery.
   */
  continuation: Object.freeze({
    /** Rails 8.1's `resume_options` default: a continuation is published to run this much later. */
    resumeWaitMs: 5_000,
    /**
     * A worker asks a continuable job to stop this long before the delivery reaches its queue's
     * consumer timeout (at most: never more than a fifth of the timeout, so a short timeout still
     * leaves the job most of it).
     */
    interruptMarginMs: 60_000,
    /** The margin is at most this fraction of the consumer timeout. */
    interruptMarginMaxFraction: 0.2,
    /**
     * While a continuable job runs, its progress is saved for a crash at a checkpoint at most this
     * often (a kill -9 repeats at most this much work); checkpoints in between only check for a stop.
     */
    checkpointIntervalMs: 5_000,
    /** Prefix of the per-message checkpoint queues: `<prefix>.<job id>.<executions>`. */
    checkpointQueuePrefix: 'warren.checkpoint',
    /** A checkpoint queue nobody reads or writes is deleted by the broker after this long (x-expires). */
    checkpointQueueExpiresMs: 7 * 24 * 60 * 60_000,
    /** A checkpoint save or load that takes longer is given up (logged; the job goes on). */
    checkpointTimeoutMs: 10_000,
  }),

  /** Flow control: paused queues (src/amqp/queue-pauses.ts). */
  flow: Object.freeze({
    /** A queue is paused while the durable queue `<prefix>.<queue>` exists. */
    pauseMarkerPrefix: 'warren.paused',
    /** Workers look at the markers of their queues this often too (a pause or resume message they missed while disconnected). */
    pauseRefreshMs: 5_000,
    /** Per-key concurrency: a slot is an exclusive queue `<prefix>.<job class>.<key hash>.<n>` on a worker's consuming connection. */
    slotQueuePrefix: 'warren.slot',
    /** The highest `concurrency.limit` a class may declare (each slot tried costs a queue declaration). */
    maxConcurrencyLimit: 100,
    /** A job over its concurrency limit is published again this much later (plus up to as much again at random), times its key's spread. */
    concurrencyRetryMs: 1_000,
    /** Rate limits: a key's permits of the last window are the messages of `<prefix>.<job class>.<key hash>.<limit>-<per>`. */
    rateQueuePrefix: 'warren.rate',
    /** The highest `rateLimit.limit` a class may declare (the permit queue's length). */
    maxRateLimit: 100_000,
    /** Rate windows this long or longer keep their permits across a broker restart (persistent messages); shorter ones are transient. */
    ratePersistFromMs: 10_000,
    /**
     * A job granted a rate permit starts only if at most this share of the window (within the two
     * bounds below) has passed since its permit was sent, and a permit lives the window plus that
     * much: the starts keep to the limit even when a busy worker sees its grant late. A job past
     * it gives its permit up unused and waits like a refused one. Cost: at most per / (per +
     * tolerance) of the rate, about 2% (bench/README.md, "Rate limits").
     */
    rateStartTolerance: 0.02,
    rateStartToleranceMinMs: 20,
    rateStartToleranceMaxMs: 1_000,
    /** A job whose permit a worker saw too late this many times starts with the next late one (logged): an event loop always behind must not starve it. */
    rateLateGiveUps: 3,
    /**
     * A start refused by a rate limit is retried at a random moment between max(per / limit, this)
     * ms and the window's length times its key's spread (src/worker/retry-spread.ts).
     */
    rateMinRetryMs: 50,
    /** Refused starts (rate and concurrency) are spread to aim at this many attempts per grant: what is freed is taken at once (the delay ladder brings retries back in clumps; 2 left permits idle), and the churn stays small. */
    retryAttemptsPerGrant: 4,
    /** The widest spread, in windows (a backlog far larger than the limit waits its turn in the delay ladder, not in attempts). */
    retryMaxSpread: 10,
    /** Keys whose spread a worker remembers; past this it starts over. */
    retrySpreadKeys: 10_000,
    /** Unique jobs: a lock is the one message of the queue `<prefix>.<job class>.<key hash>`. */
    uniqueLockPrefix: 'warren.unique',
    /** How long a unique job's lock lasts at most when nothing releases it (`unique.ttl`). */
    uniqueTtlMs: 60 * 60_000,
    /** A lock whose publish got no answer is taken off (if it landed, and is still that job's) this long after, each. */
    uniqueOrphanReleaseMs: Object.freeze([2_000, 15_000, 60_000]) as readonly number[],
    /** The longest `unique.ttl` (a lock queue unused this long is deleted by the broker). */
    uniqueMaxTtlMs: 7 * 24 * 60 * 60_000,
  }),

  /** Recurring jobs (src/schedule/, src/worker/scheduler.ts): one leader among the workers enqueues each tick. */
  schedule: Object.freeze({
    /** Workers of one scheduler group contend for the exclusive queue `<leaderPrefix>.<group>`. */
    leaderPrefix: 'warren.scheduler',
    /** Each schedule's last tick is the one message of the queue `<recordPrefix>.<group>.<name>`. */
    recordPrefix: 'warren.schedule',
    /** The group of workers that share one leader, when the worker option names none. */
    group: 'default',
    /** A worker that is not the leader tries to become it this often (so a dead leader is replaced within about this time). */
    leaderPollMs: 2_000,
    /** The leader wakes at least this often, even when the next tick is far (it re-reads the clock, and notices a lost leadership). */
    maxSleepMs: 30_000,
    /** A tick seen up to this late still counts as on time (it is enqueued whatever the missed policy); later ones are missed. */
    graceMs: 60_000,
    /** What happens to missed ticks: 'skip' them (Sidekiq-cron, Solid Queue), enqueue 'once' for the latest, or 'all' (up to maxCatchUp). */
    missed: 'skip' as 'skip' | 'once' | 'all',
    /** missed: 'all' enqueues at most this many missed ticks of a schedule (the latest ones). */
    maxCatchUp: 10,
    /** Time zone of cron expressions that name none. */
    timezone: 'UTC',
    /** A schedule's record queue unused this long is deleted by the broker (a schedule removed from the code). */
    recordExpiresMs: 90 * 24 * 60 * 60_000,
    /** The longest schedule name (it is part of queue names and job ids). */
    maxNameLength: 100,
  }),

  /** Workers report themselves and obey operators (src/presence/): heartbeats and control messages. */
  presence: Object.freeze({
    /** Fanout exchange every worker publishes its heartbeat to (non-persistent messages with a TTL). */
    heartbeatExchange: 'warren.workers',
    /** Direct exchange of control messages: routing key `all`, or one worker's id. */
    controlExchange: 'warren.control',
    /** How often a worker sends its heartbeat (and at once when asked). Sidekiq beats every 10 s; 5 s keeps the dashboard fresh. */
    heartbeatIntervalMs: 5_000,
    /**
     * A heartbeat expires (x-message TTL) and a reader forgets a worker it has not heard from
     * for this long: three missed beats.
     */
    heartbeatTtlMs: 15_000,
    /** A control message older than this (by its `sentAt`) is ignored: a replayed quiet or stop does nothing later. */
    controlMaxAgeMs: 60_000,
    /** How long `WorkerMonitor.workers({ refresh: true })` waits for workers to answer a ping. */
    refreshWaitMs: 1_000,
    /** Cancels and retries a worker remembers and reports in its heartbeats. */
    cancelsKept: 20,
    retriesKept: 20,
  }),

  /** Delayed delivery through the delay ladder (amqp/delay/), the default delay mechanism. */
  delay: Object.freeze({
    /**
     * The longest delay warren makes or accepts: 2^36 ms, about 2.18 years (one pass through the
     * default 36-level ladder). Longer is refused at enqueue, and a delivery whose due time lies
     * further ahead is dead-lettered rather than parked.
     */
    maxDelayMs: 2 ** 36,
    /**
     * Prefix of the delay exchanges and queues: `warren.delay.quorum.in`, `warren.delay.quorum.05`
     * .. `warren.delay.quorum.35`, `warren.delay.deliver`, `warren.delay.undeliverable`.
     */
    prefix: 'warren.delay',
    /**
     * The level queues are quorum queues with at-least-once dead-lettering: a job moving between
     * levels when the broker stops is kept (a few may arrive twice), never dropped. 'classic' is
     * warren 0.1's ladder (`warren.delay.05` ..), at-most-once between levels.
     */
    queueType: 'quorum' as 'quorum' | 'classic',
    /**
     * Number of ladder levels. Level k is a queue whose messages all wait 2^k ms, so 36 levels
     * cover any delay up to 2^36 - 1 ms (about 2.18 years) in at most 36 hops. Longer delays wait
     * the ladder's maximum, and the worker sends them round again for the rest.
     */
    levels: 36,
    /**
     * The shortest level used: 2^5 = 32 ms. The last < 32 ms of a delay is held by the worker,
     * which is more precise than a TTL hop and saves about 2.5 hops per delayed job.
     */
    lowestLevel: 5,
    /**
     * What each TTL hop (expiry -> dead-letter -> next queue) is assumed to cost, in ms. The ladder
     * delay is shortened by this much per hop so a job arrives a little early, never late by the
     * sum of its hops; the worker holds it until it is due. Measured on RabbitMQ 3.10 with Nagle
     * off: about 2 ms at p50 and 3-5 ms at p99 per hop.
     */
    hopAllowanceMs: 4,
    /** Subtracted once from every ladder delay: publish -> first queue and last queue -> consumer. */
    fixedAllowanceMs: 2,
    /**
     * A delivery that arrives before its due time by at most this much is held (unacked, in one
     * prefetch slot) until due; one earlier than that is published into the ladder again for the
     * remaining time and acked once the broker confirmed it.
     */
    maxHoldMs: 1_000,
    /**
     * Due jobs a worker forwards at once from the ladder's due queue to their queues (its own
     * channel's prefetch, beside the job concurrency). Each forward is a confirmed publish.
     */
    forwardPrefetch: 100,
  }),

  /** `warren stats` and the StatsReader behind it and the dashboard (src/stats/). */
  stats: Object.freeze({
    /**
     * Dead letters read (and put back) to count them per reason; past this many the counts are
     * of the oldest ones only (the snapshot says how many were read).
     */
    deadLetterScanLimit: 1_000,
    /** Seconds between two snapshots of `warren stats --watch`. */
    watchSeconds: 2,
    /**
     * The due windows delayed jobs are counted in, by the longest wait each can hold (ms). A
     * job in ladder level k falls due in less than 2^(k+1) ms; the level counts in the first
     * window that reaches that far.
     */
    delayWindows: Object.freeze([
      { window: '< 1 min', upToMs: 60_000 },
      { window: '< 1 hour', upToMs: 60 * 60_000 },
      { window: '< 1 day', upToMs: 24 * 60 * 60_000 },
      { window: '< 1 week', upToMs: 7 * 24 * 60 * 60_000 },
      { window: '< 90 days', upToMs: 90 * 24 * 60 * 60_000 },
      { window: 'later', upToMs: Number.POSITIVE_INFINITY },
    ]) as readonly { window: string; upToMs: number }[],
  }),

  /** The dashboard (src/web/, `warren web`). */
  web: Object.freeze({
    /** Address `warren web` and startDashboard bind: loopback only. Any other needs `auth`. */
    host: '127.0.0.1',
    /** Port `warren web` listens on (Sidekiq's web UI is usually mounted; Resque's ran on 5678). */
    port: 9292,
    /** How often the dashboard samples the stats it draws on the overview chart. */
    sampleIntervalMs: 10_000,
    /** How far back the overview chart reaches (the samples kept in memory). */
    historyMs: 60 * 60_000,
    /** A page taken within this long of the last stats snapshot shows that one rather than asking the broker again. */
    snapshotMaxAgeMs: 1_000,
    /** Dead letters listed per page (reading them takes each message and puts it back). */
    deadLettersShown: 100,
    /** Dead letters the job search reads at most, oldest first. */
    searchScanLimit: 10_000,
    /** How long a login (the session cookie of a token login) lasts. */
    sessionMaxAgeMs: 12 * 60 * 60_000,
    /** Largest form body a POST may send. */
    maxFormBytes: 16 * 1024,
    /** Seconds between reloads of a page whose "auto-refresh" box is ticked. */
    refreshSeconds: 5,
  }),

  /** Prometheus metrics (src/metrics/, `warren worker --metrics-port`); prom-client is an optional peer dependency. */
  metrics: Object.freeze({
    /** Prepended to every metric name: `warren_jobs_performed_total`. */
    prefix: 'warren_',
    /**
     * Buckets of `warren_job_duration_seconds` (perform, callbacks included), in seconds: from a
     * millisecond (most jobs of a web app) to five minutes (reports, exports).
     */
    durationBuckets: Object.freeze([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]) as readonly number[],
    /**
     * Buckets of `warren_job_queue_latency_seconds` (enqueued -> performed), in seconds: from a
     * millisecond (an idle worker) to an hour (a backlog, or a delayed job: its wait is included).
     */
    latencyBuckets: Object.freeze([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600]) as readonly number[],
    /**
     * Distinct (job_class, queue) pairs one WarrenMetrics keeps apart. A job class name comes from
     * the message, so a flood of unknown names must not grow the scrape without bound: pairs past
     * this one are counted together under `other`.
     */
    maxSeries: 1_000,
    /** The job_class label of a delivery that could not be decoded (no class known). */
    unknownJobClass: 'unknown',
    /** The job_class and queue labels of the pairs past maxSeries. */
    overflowLabel: 'other',
    /** Address serveMetrics and `warren worker --metrics-port` bind: loopback unless told otherwise. */
    host: '127.0.0.1',
    /** The path serveMetrics answers (anything else is a 404). */
    path: '/metrics',
  }),
});

export type Defaults = typeof DEFAULTS;
