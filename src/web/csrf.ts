import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { secretsEqual } from './auth.js';

/**
 * CSRF protection of every POST, two ways:
 * - a token in a hidden field of each form: an HMAC (with the dashboard's secret) of a random
 *   value kept in an HttpOnly, SameSite=Strict cookie of the browser (a signed double submit).
 *   Another site can neither read the token nor forge it without the secret;
 * - the browser's own word: a POST whose Origin names another host, or whose Sec-Fetch-Site
 *   says it came from another site, is refused whatever it carries.
 */
export class CsrfGuard {
  constructor(private readonly secret: Buffer) {}

  /** A fresh random value for the CSRF cookie. */
  newNonce(): string {
    return randomBytes(24).toString('base64url');
  }

  tokenFor(nonce: string): string {
    return createHmac('sha256', this.secret).update(`csrf.${nonce}`).digest('base64url');
  }

  /** Whether `token` (the form's `_csrf`) was made for `nonce` (the cookie's value). */
  verify(nonce: string | undefined, token: string | undefined): boolean {
    if (!nonce || !token) return false;
    return secretsEqual(token, this.tokenFor(nonce));
  }
}

/**
 * Whether a request may change something as far as the browser tells: Sec-Fetch-Site
 * same-origin, or else no Sec-Fetch-Site other than none and no Origin or one of this very host.
 */
export function fromSameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  // A page cannot set Sec-Fetch-Site: the browser says the form is this origin's (whatever Origin says).
  if (site === 'same-origin') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    // "null" (a sandboxed frame, a data: page) and anything unparseable.
    return false;
  }
}
