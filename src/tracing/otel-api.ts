import { createRequire } from 'node:module';
import type * as OtelApiModule from '@opentelemetry/api';

/**
 * The parts of `@opentelemetry/api` warren uses. An optional peer dependency: warren loads it
 * lazily and synchronously, once, and runs without it (every tracing call is then a test of
 * one variable). The type is erased at run time: nothing here imports the package statically.
 */
export type OtelApi = Pick<typeof OtelApiModule, 'context' | 'propagation' | 'trace' | 'ROOT_CONTEXT' | 'SpanKind' | 'SpanStatusCode'>;

/** undefined: not looked for yet; null: not installed (or unusable). */
let loaded: OtelApi | null | undefined;
/** The API's own no-op tracer provider, what its global proxy delegates to before an SDK registers one. */
let noopProvider: unknown;

/** `@opentelemetry/api` when the application has it installed; undefined otherwise. Loaded on first call. */
export function otelApi(): OtelApi | undefined {
  if (loaded === undefined) useOtelApi(loadOtelApi(createRequire(import.meta.url)) ?? null);
  return loaded ?? undefined;
}

/**
 * Loads the API with `require` (a CommonJS require, as createRequire makes): undefined when it
 * is missing, throws while loading, or is not the API (a version without what warren calls).
 */
export function loadOtelApi(require: (id: string) => unknown): OtelApi | undefined {
  let api: Partial<OtelApi> | undefined;
  try {
    api = require('@opentelemetry/api') as Partial<OtelApi> | undefined;
  } catch {
    return undefined;
  }
  if (
    typeof api?.trace?.getTracer !== 'function' ||
    typeof api.trace.getTracerProvider !== 'function' ||
    typeof api.trace.setSpan !== 'function' ||
    typeof api.context?.with !== 'function' ||
    typeof api.context.active !== 'function' ||
    typeof api.propagation?.inject !== 'function' ||
    typeof api.propagation.extract !== 'function' ||
    typeof api.propagation.fields !== 'function' ||
    api.ROOT_CONTEXT === undefined ||
    api.SpanKind === undefined ||
    api.SpanStatusCode === undefined
  ) {
    return undefined;
  }
  return api as OtelApi;
}

/**
 * Makes `api` the one warren uses, as otelApi() does on its first call: null for none (tracing
 * off), undefined to look it up again on the next call. For tests, which check both paths in one process.
 */
export function useOtelApi(api: OtelApi | null | undefined): void {
  loaded = api;
  noopProvider = undefined;
  if (!api) return;
  try {
    // The proxy before any SDK registers a provider delegates to the API's no-op one.
    const proxy = api.trace.getTracerProvider() as { getDelegate?: () => unknown };
    if (typeof proxy.getDelegate === 'function') {
      const delegate = proxy.getDelegate();
      if (delegate?.constructor?.name === 'NoopTracerProvider') noopProvider = delegate;
    }
  } catch {
    // An unexpected API: tracingActive() then asks for every job (still correct, a little slower).
  }
}

/**
 * Whether spans or trace headers could come of tracing a job: a tracer provider is registered
 * (an SDK), or a propagator is (pass-through propagation without an SDK). False when the API
 * is installed but nothing registered with it: then warren skips the API altogether (about
 * 35 ns per job with the API installed and idle, measured on Node 20; one test of a variable
 * without it). Asked per job, so a provider registered after warren started is used at once.
 */
export function tracingActive(api: OtelApi): boolean {
  return tracerProviderRegistered(api) || api.propagation.fields().length > 0;
}

function tracerProviderRegistered(api: OtelApi): boolean {
  const provider = api.trace.getTracerProvider() as { getDelegate?: () => unknown };
  // Not the API's global proxy: something registered a provider its own way.
  if (typeof provider.getDelegate !== 'function') return true;
  const delegate = provider.getDelegate();
  if (delegate === noopProvider) return false;
  // Another copy of the API (an application bundle) has a no-op provider of its own.
  return (delegate as { constructor?: { name?: string } } | undefined)?.constructor?.name !== 'NoopTracerProvider';
}
