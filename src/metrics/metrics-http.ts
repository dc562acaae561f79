import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigurationError } from '../errors.js';
import type { MetricsRegistry } from './prom-client.js';

/** What a scrape needs of a registry (a WarrenMetrics' `registry`, or any prom-client Registry). */
export type ScrapedRegistry = Pick<MetricsRegistry, 'contentType' | 'metrics'>;

/**
 * A Node request handler that answers with the registry's metrics, for an application to
 * mount in its own HTTP server (on its own route: it answers every GET or HEAD it is given,
 * and 405 to other methods). A failed collection is a 500 without details.
 */
export function metricsHandler(registry: ScrapedRegistry): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      },
    );
  };
}

export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one (read it back from `MetricsServer.port`). */
  port: number;
  /** Default: DEFAULTS.metrics.host (loopback). Metrics carry no secrets, but bind wider only where the scraper needs it. */
  host?: string;
  /** Default: DEFAULTS.metrics.path (`/metrics`); every other path is a 404. */
  path?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly host: string;
  /** The port it listens on (the one chosen, when asked for 0). */
  readonly port: number;
  /** `http://<host>:<port>/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections (a scraper's keep-alive one too). */
  close(): Promise<void>;
}

/**
 * Serves the registry on its own small HTTP server (GET `/metrics`), for a process that has
 * none: `warren worker --metrics-port` uses it. Resolves once listening; rejects with Node's
 * error (`code` EADDRINUSE...) when it cannot listen. node:http is loaded here, not when
 * warren is imported.
 */
export async function serveMetrics(registry: ScrapedRegistry, options: ServeMetricsOptions): Promise<MetricsServer> {
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigurationError(`the metrics port must be an integer from 0 to 65535, not ${String(port)}`);
  const host = options.host ?? DEFAULTS.metrics.host;
  const path = options.path ?? DEFAULTS.metrics.path;
  const { createServer } = await import('node:http');
  const handle = metricsHandler(registry);
  const server = createServer((request, response) => {
    const requested = (request.url ?? '/').split('?', 1)[0];
    if (requested === path) handle(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: metrics are at ${path}\n`);
  });
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    url: `http://${shownHost}:${address.port}${path}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
