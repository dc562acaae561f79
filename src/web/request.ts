import type { IncomingMessage } from 'node:http';

/** A request the dashboard refuses with a status and a short reason (no stack, nothing from the broker). */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestRefused';
  }
}

/**
 * The path and query of a request. Behind Express's `app.use('/warren', handler)` the prefix is
 * cut from `url` and kept in `originalUrl`: the full one is read, so `basePath` is always the
 * whole prefix.
 */
export function requestTarget(request: IncomingMessage): URL {
  const raw = (request as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  const target = typeof raw === 'string' ? raw : (request.url ?? '/');
  try {
    return new URL(target, 'http://dashboard.invalid');
  } catch {
    throw new RequestRefused(400, 'malformed request target');
  }
}

/** The body of a form POST (application/x-www-form-urlencoded, at most `maxBytes`). */
export async function readForm(request: IncomingMessage, maxBytes: number): Promise<URLSearchParams> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new RequestRefused(415, 'forms are sent as application/x-www-form-urlencoded');
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new RequestRefused(413, 'form too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new RequestRefused(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the Host header names this machine's loopback interface. A dashboard without auth
 * answers only such requests: a page of another site whose name was re-pointed at 127.0.0.1
 * (DNS rebinding) carries its own name in Host and gets nothing.
 */
export function loopbackHost(request: IncomingMessage): boolean {
  const host = (request.headers.host ?? '').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return LOOPBACK_NAMES.has(name);
}
