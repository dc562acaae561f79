import type { Logger } from 'pino';
import type { AmqpConnectionOptions } from '../amqp/connection.js';
import type { SigningOptions } from '../amqp/signing.js';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import type { Topology } from '../topology/index.js';
import { type DashboardAuth, validateAuth } from './auth.js';
import type { RedactArguments } from './present-arguments.js';

export interface DashboardOptions extends AmqpConnectionOptions {
  /**
   * The path the dashboard answers under, e.g. '/warren' when mounted in an application's own
   * server; every link it makes starts with it. Default: '' (the root).
   */
  basePath?: string;
  /**
   * Who may see and use it: `{ token }` (an `Authorization: Bearer` header, or the login form,
   * which sets an HttpOnly, SameSite=Strict session cookie) or `{ username, password }` (HTTP
   * basic). Default: none, for a dashboard on 127.0.0.1 (startDashboard refuses any other host
   * without auth) or behind the application's own authentication.
   */
  auth?: DashboardAuth;
  /** Routes the jobs a retry sends back, and names the job queues. Default: `defaultTopology()`. */
  topology?: Topology;
  /** Job queues to show besides those the topology and the live workers name. */
  queues?: readonly string[];
  /** The dead-letter queue. Default: DEFAULTS.amqp.deadLetterQueue. */
  deadLetterQueue?: string;
  /** Signs the control messages (quiet, stop, cancel): workers with `signing` obey only signed ones. */
  signing?: SigningOptions;
  /** Applied to job arguments before any display (see RedactArguments). Default: arguments are shown as they travel. */
  redact?: RedactArguments;
  /** How often the stats of the overview chart are sampled. Default: DEFAULTS.web.sampleIntervalMs. */
  sampleIntervalMs?: number;
  /**
   * Key of the session cookies and CSRF tokens. Default: random per process, so sessions end
   * with a restart; give every process behind one load balancer the same (32 random bytes).
   */
  secret?: string | Buffer;
  /** Default: settings().logger. */
  logger?: Logger;
}

export interface StartDashboardOptions extends DashboardOptions {
  /** Address to listen on. Default: DEFAULTS.web.host (127.0.0.1). Any other needs `auth`. */
  host?: string;
  /** Port; 0 picks a free one. Default: DEFAULTS.web.port. */
  port?: number;
}

/** '' or '/warren' (no trailing slash); ConfigurationError for anything a URL path cannot hold plainly. */
export function normalizeBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  const trimmed = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed) || /\/\.\.?(\/|$)/.test(trimmed)) {
    throw new ConfigurationError(`the dashboard's basePath must look like "/warren" (letters, digits, . _ ~ -), not ${JSON.stringify(basePath)}`);
  }
  return trimmed;
}

export function sampleInterval(options: DashboardOptions): number {
  const value = options.sampleIntervalMs ?? DEFAULTS.web.sampleIntervalMs;
  if (!Number.isInteger(value) || value < 100) throw new ConfigurationError(`sampleIntervalMs must be an integer of at least 100, not ${value}`);
  return value;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Refuses a dashboard that would be reachable from other machines without auth: any host but
 * the loopback interface needs `auth`.
 */
export function assertSafeToListen(host: string, auth: DashboardAuth | undefined): void {
  validateAuth(auth);
  if (auth === undefined && !isLoopback(host)) {
    throw new ConfigurationError(
      `the dashboard would listen on ${host} without auth: anyone who reaches it could retry, discard and purge dead letters and stop workers. ` +
        'Give it a token (--token or WARREN_WEB_TOKEN; auth: { token }) or basic auth (--basic user:pass; auth: { username, password }), or listen on 127.0.0.1',
    );
  }
}
