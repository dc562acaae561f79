import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AmqpConnection } from '../amqp/connection.js';
import type { EnvelopeSigner } from '../amqp/signing.js';
import type { ControlMessage } from '../presence/control-message.js';
import type { WorkerHeartbeat, WorkerState } from '../presence/heartbeat.js';
import { WorkerPresence } from '../presence/worker-presence.js';
import { WARREN_VERSION } from '../support/package-info.js';
import type { TypedEmitter } from '../support/typed-emitter.js';
import type { WorkerEvents } from './events.js';
import type { RunningJobs } from './running-jobs.js';

/** What a worker shows of itself in its heartbeats, and what control messages may ask of it. */
export interface PresentWorker {
  readonly id: string;
  readonly queues: readonly string[];
  readonly concurrency: number;
  readonly startedAt: string;
  readonly state: WorkerState;
  /** The scheduler group and whether this worker leads it (undefined without schedules). */
  readonly scheduler: WorkerHeartbeat['scheduler'];
  quiet(): Promise<void>;
  stop(): Promise<void>;
  cancelJob(jobId: string): boolean;
  /** Pauses or resumes one of its queues (a pause/resume control message). */
  setPaused(queue: string, paused: boolean): void;
}

export interface PresenceLinkOptions {
  worker: PresentWorker;
  jobs: RunningJobs;
  events: TypedEmitter<WorkerEvents>;
  /** The consuming connection (control messages) and the publishing one (heartbeats: a blocked publisher must not hold acks up). */
  connection: AmqpConnection;
  publishing: AmqpConnection;
  intervalMs: number;
  signer: EnvelopeSigner | undefined;
  logger: Logger;
}

/**
 * A worker's heartbeats and its obedience to control messages (src/presence/): the heartbeat
 * describes the worker as it is when sent, a retry or a new scheduler leader is reported at once,
 * and a control message already checked (signature, target, age) becomes a call on the worker.
 */
export function startPresenceLink(options: PresenceLinkOptions): WorkerPresence {
  const { worker, jobs, events, logger } = options;
  let presence: WorkerPresence | undefined;
  const beat = (): void => void presence?.beat();
  // A new leader is seen at once, not at the next beat.
  events.on('scheduler:leadership', beat);
  events.on('job:retry', ({ jobId, jobClass, queue }) => {
    if (jobId && jobClass) jobs.retried({ jobId, jobClass, queue, at: new Date().toISOString() });
  });
  presence = new WorkerPresence(options.connection, options.publishing, {
    id: worker.id,
    intervalMs: options.intervalMs,
    describe: () => heartbeatOf(worker, jobs),
    obey: (message) => obey(worker, message, beat, logger),
    signer: options.signer,
    logger,
  });
  return presence;
}

/** What the worker's heartbeat says now. */
function heartbeatOf(worker: PresentWorker, jobs: RunningJobs): WorkerHeartbeat {
  return {
    id: worker.id,
    host: hostname(),
    pid: process.pid,
    version: WARREN_VERSION,
    queues: [...worker.queues],
    concurrency: worker.concurrency,
    busy: jobs.busy,
    running: jobs.runningReports(),
    performed: jobs.performed,
    failed: jobs.failed,
    startedAt: worker.startedAt,
    sentAt: new Date().toISOString(),
    state: worker.state,
    queueStats: jobs.queueActivity(),
    cancels: jobs.cancelReports(),
    retries: jobs.retryNotices(),
    ...(worker.scheduler && { scheduler: worker.scheduler }),
  };
}

/** A control message addressed to this worker (or to all), already checked. */
function obey(worker: PresentWorker, message: ControlMessage, beat: () => void, logger: Logger): void {
  switch (message.command) {
    case 'ping':
      beat();
      return;
    case 'quiet':
      void worker.quiet();
      return;
    case 'stop':
      logger.info('stop requested by a control message');
      void worker.stop();
      return;
    case 'cancel':
      worker.cancelJob(message.jobId);
      return;
    case 'pause':
    case 'resume':
      worker.setPaused(message.queue, message.command === 'pause');
      return;
  }
}
