// The dashboard's HTTP surface with in-memory sources: routing, escaping, auth, CSRF, headers.
// The browser test against a real broker and worker is test/integration/web-dashboard.test.ts.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { createDashboardWith } from '../../src/web/dashboard-handler.js';
import { html, join } from '../../src/web/html.js';
import { type RunningDashboard, startDashboardWith } from '../../src/web/dashboard-server.js';
import type { StartDashboardOptions } from '../../src/web/dashboard-options.js';
import { fakeSources, heartbeat, letter, type FakeSources } from './fake-sources.js';
import { DashboardClient } from './http-client.js';

const PAGES = ['/', '/queues', '/workers', '/scheduled', '/retries', '/dead-letters', '/jobs', '/jobs?id=job-1', '/jobs?id=run-1', '/jobs?id=nothing'];
const running: RunningDashboard[] = [];

async function start(
  options: StartDashboardOptions = {},
  sources: FakeSources = fakeSources(),
): Promise<{ dashboard: RunningDashboard; sources: FakeSources; origin: string }> {
  const dashboard = await startDashboardWith({ port: 0, sampleIntervalMs: 1_000, ...options }, async () => sources);
  running.push(dashboard);
  return { dashboard, sources, origin: `http://127.0.0.1:${dashboard.port}` };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((dashboard) => dashboard.close()));
});

describe('html``', () => {
  it('escapes every interpolated value and keeps nested templates', () => {
    const evil = `<script>alert("x")</script>' onload=x \``;
    const page = html`<p title="${evil}">${evil}${html`<b>${evil}</b>`}${[evil, html`<i>ok</i>`]}${undefined}${false}${0}</p>`;
    expect(page.value).not.toContain('<script>');
    expect(page.value).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=x &#96;');
    expect(page.value).toContain('<b>&lt;script&gt;');
    expect(page.value).toContain('<i>ok</i>');
    expect(page.value.endsWith('0</p>')).toBe(true);
    expect(join(['<a>', html`<br>`], '<').value).toBe('&lt;a&gt;&lt;<br>');
  });
});

describe('the dashboard over HTTP (fake sources)', () => {
  it('serves every page with its security headers, links under the base path, and the assets', async () => {
    const { origin } = await start({ basePath: '/warren/' });
    const client = new DashboardClient(origin);
    for (const page of PAGES) {
      const response = await client.get(`/warren${page}`);
      expect(response.status, page).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const links = [...client.lastPage.matchAll(/(?:href|action|src)="([^"]*)"/g)].map((match) => match[1]!);
      expect(links.length).toBeGreaterThan(5);
      for (const link of links) expect(link, `${page}: ${link}`).toMatch(/^\/warren\//);
      expect(client.lastPage).not.toMatch(/<script>|\sstyle=|\son\w+=/);
    }
    expect(client.lastPage).toContain('was not found');
    expect((await client.get('/warren/jobs?id=run-1')).status).toBe(200);
    expect(client.lastPage).toContain('Running');
    expect((await client.get('/warren')).headers.get('location')).toBe('/warren/');
    const css = await client.get('/warren/assets/dashboard.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await client.get('/warren/assets/dashboard.js')).headers.get('content-type')).toContain('javascript');
    expect((await client.get('/warren/assets/nothing.js')).status).toBe(404);
    expect((await client.get('/elsewhere')).status).toBe(404);
    expect((await client.get('/warren/nothing')).status).toBe(404);
    expect((await fetch(`${origin}/warren/`, { method: 'DELETE' })).status).toBe(405);
  });

  it('escapes what the broker says: job classes, arguments, errors, worker names', async () => {
    const sources = fakeSources();
    const evil = '<img src=x onerror=alert(1)>';
    sources.letters.push(
      letter({
        jobId: `id-${evil}`,
        jobClass: evil,
        errorClass: evil,
        errorMessage: `</pre>${evil}`,
        arguments: [evil, { [evil]: evil }],
        originalQueue: evil,
      }),
    );
    sources.heartbeats.push(
      heartbeat({
        id: evil,
        host: evil,
        queues: [evil],
        running: [{ jobClass: evil, jobId: evil, queue: evil, executions: 1, startedAt: evil, progress: evil }],
      }),
    );
    const { origin } = await start({}, sources);
    const client = new DashboardClient(origin);
    for (const page of [...PAGES, `/jobs?id=${encodeURIComponent(`id-${evil}`)}`]) {
      await client.get(page);
      expect(client.lastPage, page).not.toContain('<img');
    }
    expect(client.lastPage).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('applies redact before any display of arguments', async () => {
    const { origin } = await start({ redact: (args) => args.map(() => '[hidden]') });
    const client = new DashboardClient(origin);
    for (const page of ['/dead-letters', '/jobs?id=job-1']) {
      await client.get(page);
      expect(client.lastPage).toContain('[hidden]');
      expect(client.lastPage).not.toContain('4242');
    }
  });

  it('never shows a credential: the broker password, signing keys, the auth token', async () => {
    const token = 'tok-3f9a8b7c6d5e4f3a2b1c';
    const { origin } = await start({
      url: 'amqp://admin:broker-pa55word@127.0.0.1:5672/prod',
      signing: { keys: { k1: 'signing-key-0123456789abcdef' } },
      auth: { token },
      secret: 'secret-of-the-cookies-0123456789',
    });
    const client = new DashboardClient(origin, { authorization: `Bearer ${token}` });
    for (const page of PAGES) {
      await client.get(page);
      for (const secret of ['broker-pa55word', 'admin', 'signing-key-0123456789abcdef', token, 'secret-of-the-cookies'])
        expect(client.lastPage, `${page}: ${secret}`).not.toContain(secret);
      expect(client.lastPage).toContain('amqp://127.0.0.1:5672/prod');
    }
  });

  it('token auth: 401 without it, a Bearer header or the login form (an HttpOnly SameSite=Strict cookie) with it', async () => {
    const token = 'tok-0123456789abcdef0123';
    const { origin, sources } = await start({ auth: { token } });
    const anonymous = new DashboardClient(origin);
    for (const page of PAGES) {
      const response = await anonymous.get(page);
      expect(response.status, page).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(anonymous.lastPage).not.toContain('ChargeCardJob');
      expect(anonymous.lastPage).toContain('name="token"');
    }
    expect((await anonymous.get('/', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await anonymous.get('/', { authorization: `Bearer ${token}` })).status).toBe(200);
    // The login form.
    expect((await anonymous.get('/login')).status).toBe(200);
    const refused = await anonymous.post('/login', { _csrf: anonymous.csrfToken(), token: 'not-the-token-0123456' });
    expect(refused.status).toBe(401);
    expect(anonymous.cookies.has('warren_session')).toBe(false);
    const login = await anonymous.post('/login', { _csrf: anonymous.csrfToken(), token });
    expect(login.status).toBe(303);
    const setCookie = login.headers.getSetCookie().find((line) => line.startsWith('warren_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(token);
    expect((await anonymous.get('/dead-letters')).status).toBe(200);
    expect(anonymous.lastPage).toContain('ChargeCardJob');
    expect(anonymous.lastPage).toContain('Sign out');
    // A forged session cookie is refused.
    const forged = new DashboardClient(origin);
    forged.cookies.set('warren_session', `${Date.now()}.AAAA`);
    expect((await forged.get('/')).status).toBe(401);
    // Signing out ends the session.
    expect((await anonymous.post('/logout', { _csrf: anonymous.csrfToken() })).status).toBe(303);
    expect((await anonymous.get('/')).status).toBe(401);
    expect(sources.calls).toEqual([]);
  });

  it('basic auth', async () => {
    const { origin } = await start({ auth: { username: 'ops', password: 'correct horse' } });
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    const wrong = Buffer.from('ops:wrong horse').toString('base64');
    expect((await fetch(`${origin}/`, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
    const right = Buffer.from('ops:correct horse').toString('base64');
    expect((await fetch(`${origin}/`, { headers: { authorization: `Basic ${right}` } })).status).toBe(200);
  });

  it('CSRF: a POST without the token, with a wrong one, or from another origin is refused with 403 and changes nothing', async () => {
    const { origin, sources } = await start();
    const client = new DashboardClient(origin);
    await client.get('/dead-letters');
    const token = client.csrfToken();
    expect((await client.post('/dead-letters/retry', { jobId: 'job-1' })).status).toBe(403);
    expect((await client.post('/dead-letters/retry', { jobId: 'job-1', _csrf: `${token}x` })).status).toBe(403);
    expect((await client.post('/dead-letters/retry', { jobId: 'job-1', _csrf: token }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await client.post('/dead-letters/retry', { jobId: 'job-1', _csrf: token }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // A token is bound to its browser's cookie: another browser's token does not do.
    const other = new DashboardClient(origin);
    await other.get('/');
    expect((await other.post('/dead-letters/retry', { jobId: 'job-1', _csrf: token })).status).toBe(403);
    // GET never changes anything.
    expect((await client.get('/dead-letters/retry?jobId=job-1')).status).toBe(404);
    expect(sources.calls).toEqual([]);
    expect(sources.letters).toHaveLength(1);
    const done = await client.post('/dead-letters/retry', { jobId: 'job-1', _csrf: token }, { origin });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/dead-letters?notice=retried&n=1&failed=0');
    expect(sources.calls).toEqual(['retry job-1']);
    await client.get(done.headers.get('location')!);
    expect(client.lastPage).toContain('Sent 1 dead letter(s) back');
  });

  it('actions: quiet, stop, cancel, discard; purge and retry all ask first', async () => {
    const { origin, sources } = await start();
    const client = new DashboardClient(origin);
    await client.get('/workers');
    const _csrf = client.csrfToken();
    expect(client.lastPage).toContain('<progress max="100" value="40">');
    expect((await client.post('/workers/quiet', { _csrf, workerId: 'host-a:100:abc' })).status).toBe(303);
    expect((await client.post('/workers/stop', { _csrf, workerId: 'host-a:100:abc' })).status).toBe(303);
    expect((await client.post('/jobs/cancel', { _csrf, jobId: 'run-1', workerId: 'host-a:100:abc' })).status).toBe(303);
    expect((await client.post('/workers/quiet', { _csrf })).status).toBe(400);
    sources.letters.push(letter({ jobId: 'job-2' }), letter({ jobId: 'job-3' }));
    expect((await client.post('/dead-letters/discard', { _csrf, jobId: 'job-2' })).headers.get('location')).toContain('notice=discarded');
    expect((await client.post('/dead-letters/discard', { _csrf, jobId: 'job-2' })).headers.get('location')).toContain('notice=discard-missing');
    const ask = await client.post('/dead-letters/purge', { _csrf });
    expect(ask.status).toBe(200);
    expect(client.lastPage).toContain('for good?');
    expect(client.lastPage).toContain('name="confirm" value="yes"');
    expect(sources.letters).toHaveLength(2);
    expect((await client.post('/dead-letters/purge', { _csrf, confirm: 'yes' })).headers.get('location')).toBe('/dead-letters?notice=purged&n=2');
    expect(sources.calls).toEqual(['quiet host-a:100:abc', 'stop host-a:100:abc', 'cancel run-1 host-a:100:abc', 'discard job-2', 'discard job-2', 'purge']);
  });

  it('pause and resume a listed job queue from the queues page; an unknown queue is refused', async () => {
    const { origin, sources } = await start();
    const client = new DashboardClient(origin);
    await client.get('/queues');
    const _csrf = client.csrfToken();
    expect(client.lastPage).toContain('action="/queues/pause"');
    const paused = await client.post('/queues/pause', { _csrf, queue: 'payments' });
    expect(paused.headers.get('location')).toBe('/queues?notice=paused');
    await client.get('/queues');
    expect(client.lastPage).toContain('<span class="badge warn">paused</span>');
    expect(client.lastPage).toContain('action="/queues/resume"');
    expect((await client.post('/queues/resume', { _csrf, queue: 'payments' })).headers.get('location')).toBe('/queues?notice=resumed');
    expect((await client.post('/queues/pause', { _csrf, queue: 'warren.dead' })).status).toBe(404);
    expect(sources.calls).toEqual(['pause payments', 'resume payments']);
  });

  it('refuses to listen beyond the loopback interface without auth, and answers only loopback Host names without it', async () => {
    await expect(startDashboardWith({ host: '0.0.0.0', port: 0 }, async () => fakeSources())).rejects.toThrow(ConfigurationError);
    await expect(startDashboardWith({ host: '0.0.0.0', port: 0 }, async () => fakeSources())).rejects.toThrow(/without auth/);
    await expect(startDashboardWith({ host: '127.0.0.1', port: 0, auth: { token: 'short' } }, async () => fakeSources())).rejects.toThrow(/at least 16/);
    const { origin } = await start();
    // fetch cannot set Host: a plain request does (as a rebinding page's browser would send its own name).
    const statusFor = (host: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        const request = httpRequest(`${origin}/`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await statusFor('evil.example')).toBe(403);
    expect(await statusFor('evil.example:80')).toBe(403);
    expect(await statusFor('localhost:1234')).toBe(200);
    expect(await statusFor('[::1]:1234')).toBe(200);
  });

  it('mounts in an application server under its base path and passes other requests on', async () => {
    const sources = fakeSources();
    const dashboard = createDashboardWith({ basePath: '/ops/warren' }, async () => sources);
    const server = createServer((request, response) => {
      dashboard.handler(request, response, () => {
        response.end('the app');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${origin}/`)).text()).toBe('the app');
      expect(await (await fetch(`${origin}/ops/warrenx`)).text()).toBe('the app');
      const page = await fetch(`${origin}/ops/warren/queues`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('href="/ops/warren/dead-letters?queue=payments"');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await dashboard.close();
    }
  });
});
