import { openBrokerSources } from './broker-sources.js';
import { createDashboardWith, type Dashboard } from './dashboard-handler.js';
import type { DashboardOptions, StartDashboardOptions } from './dashboard-options.js';
import { type RunningDashboard, startDashboardWith } from './dashboard-server.js';

/**
 * The dashboard, as a request handler to mount in an application's own server under
 * `options.basePath`: `dashboard.handler`. It opens its broker connections (a WorkerMonitor, a
 * StatsReader, the dead-letter queue) at once and samples the stats every `sampleIntervalMs`
 * until `dashboard.close()`. Without `auth`, the application is trusted to authenticate.
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  return createDashboardWith(options, () => openBrokerSources(options));
}

/**
 * The dashboard on a server of its own, as `warren web` runs it. Listens on 127.0.0.1
 * (DEFAULTS.web) unless told otherwise, and refuses with a ConfigurationError to listen on any
 * other address without `auth`. Resolves once the broker connections are open and the port is
 * bound; `close()` stops it.
 */
export function startDashboard(options: StartDashboardOptions = {}): Promise<RunningDashboard> {
  return startDashboardWith(options, () => openBrokerSources(options));
}
