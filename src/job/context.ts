import { AsyncLocalStorage } from 'node:async_hooks';
import { settings } from '../config/configuration.js';

/**
 * The ambient locale and timezone (Rails' `I18n.locale` and `Time.zone`), carried by
 * AsyncLocalStorage so they follow async calls. Captured into the envelope at enqueue,
 * restored around perform.
 */
interface AmbientContext {
  readonly locale?: string | undefined;
  readonly timezone?: string | undefined;
}

const storage = new AsyncLocalStorage<AmbientContext>();

/** Run `fn` with `locale` as the current locale (and the current timezone unchanged). */
export function withLocale<T>(locale: string, fn: () => T): T {
  return storage.run({ ...storage.getStore(), locale }, fn);
}

/** Run `fn` with `timezone` (an IANA or Rails zone name, not validated) as the current timezone. */
export function withTimezone<T>(timezone: string, fn: () => T): T {
  return storage.run({ ...storage.getStore(), timezone }, fn);
}

/** The current locale; default settings().defaultLocale (DEFAULTS.locale). */
export function currentLocale(): string {
  return storage.getStore()?.locale ?? settings().defaultLocale;
}

/** The current timezone; default settings().defaultTimezone (DEFAULTS.timezone). */
export function currentTimezone(): string {
  return storage.getStore()?.timezone ?? settings().defaultTimezone;
}

/**
 * Run `fn` with both values set (used around perform to restore a job's context). When they
 * already are the current ones (the common case: a job enqueued with the defaults), `fn` runs
 * as is: on Node 20 the first `storage.run` turns on promise hooks for the whole process,
 * which then tax every promise of every job (docs/performance.md).
 */
export function withLocaleAndTimezone<T>(context: AmbientContext, fn: () => T): T {
  if (isCurrentContext(context.locale, context.timezone)) return fn();
  return storage.run({ ...storage.getStore(), ...definedOnly(context) }, fn);
}

/** Whether the locale and timezone (undefined: any) are the current ones. */
export function isCurrentContext(locale: string | undefined, timezone: string | undefined): boolean {
  return (locale === undefined || locale === currentLocale()) && (timezone === undefined || timezone === currentTimezone());
}

function definedOnly(context: AmbientContext): AmbientContext {
  const result: { locale?: string; timezone?: string } = {};
  if (context.locale !== undefined) result.locale = context.locale;
  if (context.timezone !== undefined) result.timezone = context.timezone;
  return result;
}
