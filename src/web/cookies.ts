import type { IncomingMessage } from 'node:http';

/** The login session (token auth with the login form). */
export const SESSION_COOKIE = 'warren_session';
/** The random value CSRF tokens are bound to, one per browser. */
export const CSRF_COOKIE = 'warren_csrf';

/** The request's cookies; a malformed one is skipped, the first of two with one name wins. */
export function readCookies(request: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (!cookies.has(name) && /^[A-Za-z0-9._~-]*$/.test(value)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie. Omitted: a session cookie (until the browser closes). */
  maxAgeSeconds?: number;
  /** Only over HTTPS (set when the request came over TLS). */
  secure: boolean;
}

/** A Set-Cookie value: always HttpOnly and SameSite=Strict (the page script never reads cookies). */
export function cookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
