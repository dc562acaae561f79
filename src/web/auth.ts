import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ConfigurationError } from '../errors.js';
import { readCookies, SESSION_COOKIE } from './cookies.js';

/** A bearer token (header, or the login form, which sets a session cookie), or HTTP basic. */
export type DashboardAuth = { token: string } | { username: string; password: string };

/** How a request was let in: no auth configured, an Authorization header, or the session cookie. */
export type Admission = 'open' | 'header' | 'cookie';

const digest = (text: string | Buffer): Buffer => createHash('sha256').update(text).digest();

/** Constant-time equality of two secrets: their SHA-256 digests (always 32 bytes) are compared, so neither length nor content leaks. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The least a token or password must have: guessing it over HTTP must be hopeless. */
const MIN_TOKEN_CHARS = 16;
const MIN_PASSWORD_CHARS = 8;

export function validateAuth(auth: DashboardAuth | undefined): void {
  if (auth === undefined) return;
  if ('token' in auth) {
    if (typeof auth.token !== 'string' || auth.token.length < MIN_TOKEN_CHARS) {
      throw new ConfigurationError(`the dashboard's auth token must be at least ${MIN_TOKEN_CHARS} characters (try: openssl rand -hex 32)`);
    }
    return;
  }
  if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':')) {
    throw new ConfigurationError("the dashboard's basic auth needs a user name without ':'");
  }
  if (typeof auth.password !== 'string' || auth.password.length < MIN_PASSWORD_CHARS) {
    throw new ConfigurationError(`the dashboard's basic auth password must be at least ${MIN_PASSWORD_CHARS} characters`);
  }
}

/**
 * Who may see the dashboard. Sessions of the login form are stateless: the cookie holds the time
 * it was issued and an HMAC of it (with the dashboard's secret and a digest of the token), so
 * they end with `sessionMaxAgeMs`, with a new token, or with a new secret (by default one per process).
 */
export class Authenticator {
  constructor(
    private readonly auth: DashboardAuth | undefined,
    private readonly secret: Buffer,
    private readonly sessionMaxAgeMs: number,
  ) {
    validateAuth(auth);
  }

  get kind(): 'none' | 'token' | 'basic' {
    if (this.auth === undefined) return 'none';
    return 'token' in this.auth ? 'token' : 'basic';
  }

  /** The request's admission, or undefined when it must be refused (401). */
  admit(request: IncomingMessage, now = Date.now()): Admission | undefined {
    const auth = this.auth;
    if (auth === undefined) return 'open';
    const header = request.headers.authorization ?? '';
    if ('token' in auth) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (bearer && secretsEqual(bearer[1] ?? '', auth.token)) return 'header';
      const session = readCookies(request).get(SESSION_COOKIE);
      return session !== undefined && this.sessionValid(session, now) ? 'cookie' : undefined;
    }
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!basic) return undefined;
    const given = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    return secretsEqual(given, `${auth.username}:${auth.password}`) ? 'header' : undefined;
  }

  /** The WWW-Authenticate header of a 401. */
  challenge(): string {
    return this.kind === 'basic' ? 'Basic realm="warren", charset="UTF-8"' : 'Bearer realm="warren"';
  }

  /** The login form's check. */
  tokenMatches(given: string): boolean {
    return this.auth !== undefined && 'token' in this.auth && secretsEqual(given, this.auth.token);
  }

  /** A session cookie value for a login now. */
  issueSession(now = Date.now()): string {
    return `${now}.${this.sessionMac(String(now))}`;
  }

  private sessionValid(value: string, now: number): boolean {
    const [issued, mac, ...rest] = value.split('.');
    if (!issued || !mac || rest.length > 0 || !/^\d{1,16}$/.test(issued)) return false;
    const age = now - Number(issued);
    if (age < -60_000 || age > this.sessionMaxAgeMs) return false;
    return secretsEqual(mac, this.sessionMac(issued));
  }

  private sessionMac(issued: string): string {
    const token = this.auth !== undefined && 'token' in this.auth ? this.auth.token : '';
    return createHmac('sha256', this.secret).update(`session.${issued}.`).update(digest(token)).digest('base64url');
  }
}
