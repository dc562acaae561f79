import { html, type Html } from './html.js';

/** What every page knows about the request it answers. */
export interface PageContext {
  /** The dashboard's path prefix, without a trailing slash ('' when mounted at the root). */
  base: string;
  /** The CSRF token every form carries in its `_csrf` field. */
  csrfToken: string;
  /** The page's own path under `base` ('/', '/queues'), for the navigation. */
  path: string;
  /** Signed in with the login form: a "Sign out" button is shown. */
  cookieSession: boolean;
  version: string;
  /** The broker, host and port only (no user, no password). */
  broker: string;
  refreshSeconds: number;
  /** A message about the action just done (a fixed text chosen by a code, see notices.ts). */
  notice?: Html | undefined;
  now: number;
}

/** A path under the dashboard with a query string; every link the pages make goes through here. */
export function href(context: Pick<PageContext, 'base'>, path: string, query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return `${context.base}${path}${text ? `?${text}` : ''}`;
}

const NAVIGATION: ReadonlyArray<{ path: string; label: string }> = [
  { path: '/', label: 'Overview' },
  { path: '/queues', label: 'Queues' },
  { path: '/workers', label: 'Workers' },
  { path: '/scheduled', label: 'Scheduled' },
  { path: '/retries', label: 'Retries' },
  { path: '/dead-letters', label: 'Dead letters' },
];

/** The hidden field of a form that changes something, and the form itself (always POST). */
export function csrfField(context: Pick<PageContext, 'csrfToken'>): Html {
  return html`<input type="hidden" name="_csrf" value="${context.csrfToken}">`;
}

export interface ActionForm {
  action: string;
  label: string;
  fields?: Record<string, string>;
  /** Asked in a dialog first (by the page script; without script the action runs). */
  confirm?: string;
  style?: 'danger' | 'plain';
}

export function actionForm(context: PageContext, form: ActionForm): Html {
  const fields = Object.entries(form.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${href(context, form.action)}"${form.confirm ? html` data-confirm="${form.confirm}"` : ''}>${csrfField(context)}${fields}<button type="submit" class="${form.style ?? 'plain'}">${form.label}</button></form>`;
}

function navigation(context: PageContext): Html {
  return html`<nav aria-label="Dashboard">${NAVIGATION.map(
    (item) => html`<a href="${href(context, item.path)}"${item.path === context.path ? html` aria-current="page"` : ''}>${item.label}</a>`,
  )}</nav>`;
}

/** A whole page: head, navigation, the job search, the content, a footer. */
export function layout(context: PageContext, title: string, content: Html, options: { bare?: boolean } = {}): Html {
  const signOut = context.cookieSession
    ? html`<form class="inline" method="post" action="${href(context, '/logout')}">${csrfField(context)}<button type="submit" class="plain">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · warren</title>
<link rel="icon" href="${href(context, '/assets/favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${href(context, '/assets/dashboard.css')}">
<script src="${href(context, '/assets/dashboard.js')}" defer></script>
</head>
<body data-refresh-seconds="${context.refreshSeconds}">
<header class="top">
<a class="brand" href="${href(context, '/')}">warren</a>
${
  options.bare
    ? ''
    : html`${navigation(context)}
<div class="tools">
<form class="search" method="get" action="${href(context, '/jobs')}" role="search"><label class="visually-hidden" for="job-search">Job id</label><input id="job-search" name="id" type="search" placeholder="Find a job by id" autocomplete="off"><button type="submit">Find</button></form>
<label class="refresh"><input type="checkbox" id="auto-refresh"> Auto-refresh</label>
${signOut}
</div>`
}
</header>
<main>
<h1>${title}</h1>
${context.notice ? html`<p class="notice" role="status">${context.notice}</p>` : ''}
${content}
</main>
<footer>warren ${context.version} · ${context.broker} · <span class="taken">page of ${new Date(context.now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')}</span></footer>
</body>
</html>
`;
}

/** A table that turns into cards at phone width (each cell labelled by its column through `data-label`). */
export function table(headings: readonly string[], rows: readonly Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<div class="table-wrap"><table class="cards"><thead><tr>${headings.map((heading) => html`<th scope="col">${heading}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** One cell with its column's name (shown beside the value at phone width). */
export function cell(label: string, content: Html | string | number, className?: string): Html {
  return html`<td data-label="${label}"${className ? html` class="${className}"` : ''}>${content}</td>`;
}
