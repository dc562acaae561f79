import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { resolveAmqpUrls, type AmqpUrl } from '../amqp/connection.js';
import { settings } from '../config/configuration.js';
import { DEFAULTS } from '../config/defaults.js';
import { WARREN_VERSION } from '../support/package-info.js';
import { redactError } from '../support/redact.js';
import { runAction } from './actions.js';
import { ASSETS } from './assets/index.js';
import { Authenticator } from './auth.js';
import { cookie, CSRF_COOKIE, readCookies, SESSION_COOKIE } from './cookies.js';
import { CsrfGuard, fromSameOrigin } from './csrf.js';
import { DashboardData } from './dashboard-data.js';
import { type DashboardOptions, normalizeBasePath, sampleInterval } from './dashboard-options.js';
import { shownText } from './format.js';
import { href, layout, type PageContext } from './layout.js';
import { noticeFrom } from './notices.js';
import { errorPage, loginPage } from './pages/login.js';
import { loopbackHost, readForm, RequestRefused, requestTarget } from './request.js';
import { addCookie, redirect, sendHtml, sendText, setSecurityHeaders } from './responses.js';
import { type PageDeps, renderPage } from './routes.js';
import type { DashboardSources } from './sources.js';

/**
 * A request handler for Node's `http` server (and for Express or Connect, which pass `next`:
 * requests outside `basePath` go on to it; without `next` they get a 404).
 */
export type DashboardHandler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void) => void;

export interface Dashboard {
  readonly handler: DashboardHandler;
  /** The normalized path prefix ('' at the root). */
  readonly basePath: string;
  /** Resolves once the broker connections are open; rejects (redacted) when they cannot be. */
  ready(): Promise<void>;
  /** Stops sampling and closes the broker connections. The handler answers 503 after. */
  close(): Promise<void>;
}

/** Internal settings, for startDashboard and tests. */
export interface DashboardInternals {
  /** Answer only requests whose Host is a loopback name (set by startDashboard when there is no auth). */
  loopbackOnly?: boolean;
}

/** The broker as pages name it: scheme, host, port and virtual host, never the user or password. */
function brokerLabel(url: AmqpUrl | undefined): string {
  try {
    return resolveAmqpUrls(url)
      .map((each) => {
        const parsed = new URL(each);
        return `${parsed.protocol}//${parsed.host}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : ''}`;
      })
      .join(', ');
  } catch {
    return 'the broker';
  }
}

/**
 * The dashboard on the data sources `open` gives (createDashboard: the broker's; tests: fakes),
 * as a request handler to mount under `options.basePath`. It opens its sources at once and
 * samples the stats every `sampleIntervalMs` until `close()`.
 */
export function createDashboardWith(options: DashboardOptions, open: () => Promise<DashboardSources>, internals: DashboardInternals = {}): Dashboard {
  const base = normalizeBasePath(options.basePath);
  const secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
  const authenticator = new Authenticator(options.auth, secret, DEFAULTS.web.sessionMaxAgeMs);
  const csrf = new CsrfGuard(secret);
  const logger: Logger = options.logger ?? settings().logger;
  const data = new DashboardData({
    open,
    sampleIntervalMs: sampleInterval(options),
    historyMs: DEFAULTS.web.historyMs,
    snapshotMaxAgeMs: DEFAULTS.web.snapshotMaxAgeMs,
    logger,
  });
  const deps: PageDeps = {
    data,
    redact: options.redact,
    historyMs: DEFAULTS.web.historyMs,
    deadLettersShown: DEFAULTS.web.deadLettersShown,
    searchScanLimit: DEFAULTS.web.searchScanLimit,
  };
  const broker = brokerLabel(options.url);
  let closed = false;

  const handle = async (request: IncomingMessage, response: ServerResponse, next: ((error?: unknown) => void) | undefined): Promise<void> => {
    const target = requestTarget(request);
    const pathname = target.pathname;
    if (pathname !== base && !pathname.startsWith(`${base}/`)) {
      if (next) return next();
      return sendText(response, 404, 'not found');
    }
    setSecurityHeaders(response);
    if (internals.loopbackOnly && !loopbackHost(request)) {
      return sendText(response, 403, 'this dashboard has no auth, so it answers only requests addressed to localhost or 127.0.0.1');
    }
    if (pathname === base) return redirect(response, `${base}/${target.search}`);
    const path = pathname.slice(base.length);
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return sendText(response, 405, 'method not allowed', { Allow: 'GET, HEAD, POST' });
    const head = method === 'HEAD';

    if (path.startsWith('/assets/') && method !== 'POST') {
      const asset = ASSETS.get(path.slice('/assets/'.length));
      if (!asset) return sendText(response, 404, 'not found');
      response.setHeader('Content-Type', asset.type);
      response.setHeader('Content-Length', asset.body.length);
      response.setHeader('Cache-Control', 'public, max-age=3600');
      response.end(head ? undefined : asset.body);
      return;
    }

    const cookies = readCookies(request);
    const secure = (request.socket as Partial<TLSSocket>).encrypted === true;
    const cookiePath = base || '/';
    let nonce = cookies.get(CSRF_COOKIE);
    if (method !== 'POST' && (nonce === undefined || nonce.length < 16)) {
      nonce = csrf.newNonce();
      addCookie(response, cookie(CSRF_COOKIE, nonce, { path: cookiePath, secure }));
    }
    const admission = authenticator.admit(request);
    const context: PageContext = {
      base,
      csrfToken: nonce ? csrf.tokenFor(nonce) : '',
      path,
      cookieSession: admission === 'cookie',
      version: WARREN_VERSION,
      broker,
      refreshSeconds: DEFAULTS.web.refreshSeconds,
      notice: noticeFrom(target.searchParams),
      now: Date.now(),
    };
    const show = (status: number, title: string, content: ReturnType<typeof errorPage>, bare = false): void =>
      sendHtml(response, status, layout(context, title, content, { bare }), head);

    // Every POST: from this origin, with the token of this browser's CSRF cookie.
    let form: URLSearchParams | undefined;
    if (method === 'POST') {
      if (!fromSameOrigin(request)) return show(403, 'Refused', errorPage(context, 'Refused: the form was sent from another site.'), admission === undefined);
      form = await readForm(request, DEFAULTS.web.maxFormBytes);
      if (!csrf.verify(nonce, form.get('_csrf') ?? undefined)) {
        return show(
          403,
          'Refused',
          errorPage(context, 'Refused: the form is stale or came from elsewhere (bad CSRF token). Reload the page and try again.'),
          admission === undefined,
        );
      }
    }

    if (admission === undefined) {
      response.setHeader('WWW-Authenticate', authenticator.challenge());
      if (authenticator.kind === 'basic') return sendText(response, 401, 'authentication required');
      if (path === '/login' && form) {
        if (authenticator.tokenMatches(form.get('token') ?? '')) {
          const maxAgeSeconds = Math.floor(DEFAULTS.web.sessionMaxAgeMs / 1_000);
          addCookie(response, cookie(SESSION_COOKIE, authenticator.issueSession(), { path: cookiePath, secure, maxAgeSeconds }));
          return redirect(response, `${base}/`);
        }
        logger.warn('dashboard: a login with a wrong token');
        return show(401, 'Sign in', loginPage(context, true), true);
      }
      return show(path === '/login' ? 200 : 401, 'Sign in', loginPage(context, false), true);
    }
    if (path === '/login') return redirect(response, `${base}/`);
    if (path === '/logout' && form) {
      addCookie(response, cookie(SESSION_COOKIE, '', { path: cookiePath, secure, maxAgeSeconds: 0 }));
      return redirect(response, href({ base }, authenticator.kind === 'token' ? '/login' : '/', { notice: 'signed-out' }));
    }
    if (closed) return show(503, 'Closed', errorPage(context, 'This dashboard is closed.'));

    try {
      if (form) {
        const result = await runAction(path, form, context, data);
        if (result === undefined) return show(404, 'Not found', errorPage(context, 'There is no such action.'));
        if ('redirect' in result) return redirect(response, result.redirect);
        return show(result.status ?? 200, result.title, result.content);
      }
      const page = await renderPage(path, target.searchParams, context, deps);
      if (page === undefined) return show(404, 'Not found', errorPage(context, 'There is no such page.'));
      show(page.status ?? 200, page.title, page.content);
    } catch (error) {
      if (error instanceof RequestRefused) throw error;
      // The broker is away or refused: say so on a page (redacted), and log it.
      const safe = redactError(error);
      logger.error({ err: safe, path }, 'dashboard: a request failed');
      show(
        503,
        'Unavailable',
        errorPage(context, `${form ? 'The action failed: ' : ''}the broker did not answer as expected (${shownText(safe.message)}). Try again in a moment.`),
      );
    }
  };

  const handler: DashboardHandler = (request, response, next) => {
    handle(request, response, next).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof RequestRefused) return sendText(response, error.status, error.message);
      const safe = redactError(error);
      logger.error({ err: safe }, 'dashboard: a request failed');
      sendText(response, 503, `the dashboard cannot answer: ${shownText(safe.message)}`);
    });
  };

  data.start();
  return {
    handler,
    basePath: base,
    ready: async () => {
      await data.sources();
    },
    close: async () => {
      closed = true;
      await data.close();
    },
  };
}
