/**
 * HTML from template literals, escaped by default: every value interpolated into `html`...``
 * is escaped unless it is itself Html (the result of another `html` template, or of `join`).
 * There is no other way to put text into a page, so data from the broker (job arguments,
 * error messages, queue names, worker ids) can never become markup.
 */
const TRUSTED: unique symbol = Symbol('trusted markup');

export class Html {
  /** Only this module makes Html (the token is not exported): from templates and escaped values. */
  constructor(
    token: typeof TRUSTED,
    readonly value: string,
  ) {
    if (token !== TRUSTED) throw new TypeError('Html is made by the html`` tag only');
  }

  toString(): string {
    return this.value;
  }
}

const trusted = (value: string): Html => new Html(TRUSTED, value);

/** What a template may interpolate. Objects are not accepted: render their fields. */
export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character] ?? character);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tag: `html\`<td>${name}</td>\`` escapes `name`; booleans and nullish values render nothing (for `${cond && html\`...\`}`). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + (strings[i + 1] ?? '');
  return trusted(out);
}

/** Several fragments with a separator (itself escaped unless Html). */
export function join(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  return trusted(parts.map(render).join(render(separator)));
}
