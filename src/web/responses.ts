import type { ServerResponse } from 'node:http';
import type { Html } from './html.js';

/**
 * Headers of every response: the page may load nothing but its own files (no inline script or
 * style, no other origin), never be framed, never send a Referer to another site (job ids in URLs), and its
 * content type is never guessed.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it Chromium sends `Origin: null` on the dashboard's own form POSTs.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export function setSecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
}

/** Adds a Set-Cookie without dropping one set before. */
export function addCookie(response: ServerResponse, value: string): void {
  const previous = response.getHeader('Set-Cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  response.setHeader('Set-Cookie', [...list, value]);
}

export function sendHtml(response: ServerResponse, status: number, page: Html, head = false): void {
  const body = Buffer.from(page.value, 'utf8');
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.setHeader('Content-Length', body.length);
  // Pages show live data and the CSRF token: never cached, never stored.
  response.setHeader('Cache-Control', 'no-store');
  response.end(head ? undefined : body);
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Content-Length', body.length);
  response.setHeader('Cache-Control', 'no-store');
  response.end(body);
}

/** 303 See Other: after a POST, the browser GETs `location` (reloading it repeats nothing). */
export function redirect(response: ServerResponse, location: string): void {
  response.statusCode = 303;
  response.setHeader('Location', location);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', 0);
  response.end();
}
