// The metrics endpoint: serveMetrics (a server of its own) and metricsHandler (mounted in the
// application's server), on loopback with ports the system picks.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, type MetricsServer, metricsHandler, type ScrapedRegistry, serveMetrics, WarrenMetrics } from '../../src/index.js';

const servers: MetricsServer[] = [];
const plainServers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(plainServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(registry: ScrapedRegistry, options: Parameters<typeof serveMetrics>[1] = { port: 0 }): Promise<MetricsServer> {
  const server = await serveMetrics(registry, options);
  servers.push(server);
  return server;
}

const fixed: ScrapedRegistry = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'up 1\n' };

describe('serveMetrics', () => {
  it('answers GET /metrics (with or without a query) with the registry, and 404 elsewhere, on loopback by default', async () => {
    const metrics = new WarrenMetrics();
    const server = await serve(metrics.registry);
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    expect(await response.text()).toContain('# TYPE warren_jobs_in_flight gauge');
    expect((await fetch(`${server.url}?name[]=x`)).status).toBe(200);
    const elsewhere = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toContain('/metrics');
  });

  it('answers HEAD without a body, refuses other methods with 405, and a failed collection with a bare 500', async () => {
    const server = await serve(fixed);
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(server.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const failing = await serve({ contentType: fixed.contentType, metrics: () => Promise.reject(new Error('secret detail')) });
    const broken = await fetch(failing.url);
    expect(broken.status).toBe(500);
    expect(await broken.text()).not.toContain('secret detail');
  });

  it('serves another path when asked', async () => {
    const server = await serve(fixed, { port: 0, path: '/internal/metrics' });
    expect(server.url.endsWith('/internal/metrics')).toBe(true);
    expect(await (await fetch(server.url)).text()).toBe('up 1\n');
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
  });

  it('closes even while a scraper keeps its connection alive', async () => {
    const server = await serve(fixed);
    // A keep-alive connection, left open after the response.
    const agentResponse = await new Promise<number>((resolve, reject) => {
      const req = request(server.url, { headers: { connection: 'keep-alive' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(agentResponse).toBe(200);
    await server.close();
    await server.close(); // twice is fine
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('refuses a port out of range, and rejects with the system error when the port is taken', async () => {
    await expect(serveMetrics(fixed, { port: 70_000 })).rejects.toThrow(ConfigurationError);
    await expect(serveMetrics(fixed, { port: 1.5 })).rejects.toThrow(ConfigurationError);
    const first = await serve(fixed);
    await expect(serveMetrics(fixed, { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('metricsHandler', () => {
  it("mounts on a route of the application's own server", async () => {
    const metrics = new WarrenMetrics();
    const handle = metrics.handler();
    const app = createServer((req, res) => {
      if (req.url === '/ops/metrics') handle(req, res);
      else res.writeHead(200).end('app');
    });
    plainServers.push(app);
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const { port } = app.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/ops/metrics`);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    expect(await response.text()).toContain('warren_jobs_in_flight 0');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('app');
    expect(typeof metricsHandler(fixed)).toBe('function');
  });

  it('WarrenMetrics.serve is serveMetrics on its registry', async () => {
    const metrics = new WarrenMetrics();
    const server = await metrics.serve({ port: 0, host: '127.0.0.1' });
    servers.push(server);
    expect(await (await fetch(server.url)).text()).toBe(await metrics.text());
  });
});
