import { html, type Html } from './html.js';

/** How the dashboard writes numbers, rates, durations and times. Unknown values show as a dash. */
export const UNKNOWN = '—';

export function count(value: number | undefined): string {
  return value === undefined ? UNKNOWN : value.toLocaleString('en-US');
}

export function rate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return UNKNOWN;
  if (perSecond === 0) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(2)}/s`;
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** 850 ms, 4.2 s, 3 min, 2 h 5 min, 3 d 4 h. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return UNKNOWN;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** An ISO 8601 time as a `<time>` element: UTC text; the page's script shows it as "3 min ago". */
export function time(iso: string | undefined): Html {
  if (!iso) return html`${UNKNOWN}`;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return html`${iso}`;
  const text = new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  return html`<time datetime="${new Date(at).toISOString()}" title="${text}">${text}</time>`;
}

/** Time since `iso` (for "running for"), from `now`. */
export function since(iso: string | undefined, now: number): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? UNKNOWN : duration(Math.max(0, now - at));
}

/** Job arguments for display: indented JSON, never code. */
export function json(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2) ?? 'undefined';
  } catch {
    return '(cannot be shown)';
  }
}

/** Text from elsewhere (error messages, backtraces, arguments) as a page may show it: no `user:password@` of any AMQP URL in it. */
export function shownText(text: string): string {
  return text.replace(/\b(amqps?:\/\/)[^\s@/]*@/gi, '$1');
}
