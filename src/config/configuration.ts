import type { Logger } from 'pino';
import type { QueueAdapter } from '../adapters/adapter.js';
import { DEFAULTS } from './defaults.js';
import { createLogger } from './logger.js';

/** Process-wide settings. Per-job-class settings override these (Job.adapter, queueNamePrefix...). */
export interface WarrenSettings {
  /** The default adapter for every job class that sets none. */
  adapter: QueueAdapter | undefined;
  logger: Logger;
  /** Log argument values (redacted by `redactArguments`) on enqueue/perform lines. Default: false. */
  logArguments: boolean;
  /** Applied to argument values before they are logged, when logArguments is on. */
  redactArguments: (args: readonly unknown[]) => unknown;
  /**
   * Rails 7.1's `verbose_enqueue_logs`: each `enqueued` line says where the job was enqueued
   * from (`enqueued_from: "src/signup.ts:42:11 in register"`, the first frame outside warren).
   * Default: DEFAULTS.verboseEnqueueLogs (off; it takes a stack trace per job).
   */
  verboseEnqueueLogs: boolean;
  queueNamePrefix: string | undefined;
  queueNameDelimiter: string;
  defaultLocale: string;
  defaultTimezone: string;
  /** GlobalID app name. */
  globalIdApp: string;
  /** Which Rails must read the arguments performLater writes. Default: DEFAULTS.railsCompatibility. */
  railsCompatibility: '6.1' | '7.1';
}

function initialSettings(): WarrenSettings {
  return {
    adapter: undefined,
    logger: createLogger(),
    logArguments: DEFAULTS.logArguments,
    redactArguments: (args) => args,
    verboseEnqueueLogs: DEFAULTS.verboseEnqueueLogs,
    queueNamePrefix: DEFAULTS.queueNamePrefix,
    queueNameDelimiter: DEFAULTS.queueNameDelimiter,
    defaultLocale: DEFAULTS.locale,
    defaultTimezone: DEFAULTS.timezone,
    globalIdApp: DEFAULTS.globalIdApp,
    railsCompatibility: DEFAULTS.railsCompatibility,
  };
}

let current: Readonly<WarrenSettings> = Object.freeze(initialSettings());

/** Merge settings into the process-wide configuration. Returns the new settings. */
export function configure(changes: Partial<WarrenSettings>): Readonly<WarrenSettings> {
  current = Object.freeze({ ...current, ...changes });
  return current;
}

export function settings(): Readonly<WarrenSettings> {
  return current;
}

/** Back to the defaults (tests). */
export function resetConfiguration(): void {
  current = Object.freeze(initialSettings());
}
