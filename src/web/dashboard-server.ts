import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import { createDashboardWith, type Dashboard } from './dashboard-handler.js';
import { assertSafeToListen, type StartDashboardOptions } from './dashboard-options.js';
import type { DashboardSources } from './sources.js';

export interface RunningDashboard {
  /** Where it answers, e.g. `http://127.0.0.1:9292/`. */
  readonly url: string;
  readonly host: string;
  /** The port it listens on (the one picked when given 0). */
  readonly port: number;
  readonly server: Server;
  readonly dashboard: Dashboard;
  /** Stops listening, ends open connections and closes the dashboard. */
  close(): Promise<void>;
}

/**
 * The dashboard on a server of its own, on the data sources `open` gives (startDashboard: the
 * broker's). Listens on 127.0.0.1 unless told otherwise, and refuses (ConfigurationError) to
 * listen anywhere else without `auth`. Resolves once the sources are open and the port is bound.
 */
export async function startDashboardWith(options: StartDashboardOptions, open: () => Promise<DashboardSources>): Promise<RunningDashboard> {
  const host = options.host ?? DEFAULTS.web.host;
  const port = options.port ?? DEFAULTS.web.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigurationError(`the dashboard's port must be 0 to 65535, not ${port}`);
  assertSafeToListen(host, options.auth);
  const dashboard = createDashboardWith(options, open, { loopbackOnly: options.auth === undefined });
  const server = createServer(dashboard.handler);
  try {
    await dashboard.ready();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    server.close();
    await dashboard.close();
    throw error;
  }
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}${dashboard.basePath}/`,
    host,
    port: bound,
    server,
    dashboard,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await dashboard.close();
    },
  };
}
