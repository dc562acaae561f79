import type { inspect, InspectOptionsStylized } from 'node:util';
/**
 * Connection URLs carry passwords. Everything warren logs, throws or emits about a
 * connection goes through these functions first.
 */

/** `amqp://user:secret@host:5672/vhost` -> `amqp://user:***@host:5672/vhost`. Unparseable input is redacted wholesale. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // Query strings may carry secrets too (for example a passphrase for a client key).
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return redactText(url);
  }
}

const CREDENTIALS_IN_URL = /\b(amqps?:\/\/)([^:@/\s]*):([^@/\s]*)@/gi;

/** Redacts every `scheme://user:password@` found anywhere in a text (error messages, stack traces). */
export function redactText(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, (_match, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/**
 * An error safe to log or rethrow: same class name and code, message and stack redacted.
 * The original error is not kept as `cause`, because its own message may carry the URL.
 */
export function redactError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(redactText(String(error)));
  const safe = new Error(redactText(error.message));
  safe.name = error.name;
  if (error.stack) safe.stack = redactText(error.stack);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) (safe as Error & { code?: unknown }).code = code;
  return safe;
}

/** A connection URL described for humans: the redacted string, or `host:port` for an options object. */
export function describeEndpoint(url: string | { hostname?: string; port?: number; protocol?: string }): string {
  if (typeof url === 'string') return redactUrl(url);
  return `${url.protocol ?? 'amqp'}://${url.hostname ?? 'localhost'}${url.port ? `:${url.port}` : ''}`;
}

/**
 * For objects that hold connection secrets (the URL's password, TLS keys and passphrases) and
 * client internals: what `util.inspect` (console.log) shows instead of their fields. Install it
 * as `[inspect.custom]`, with `toJSON` returning `view` for JSON.stringify.
 */
export function inspectRedacted(
  name: string,
  view: Record<string, unknown>,
  depth: number,
  options: InspectOptionsStylized,
  inspectValue: typeof inspect,
): string {
  return `${name} ${inspectValue(view, { ...options, depth: depth < 0 ? 0 : Math.min(depth, 2) })}`;
}
