import { SCRIPT } from './script.js';
import { STYLESHEET } from './stylesheet.js';

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f6f4f"/><path d="M6 22c3-9 7-13 10-13s7 4 10 13" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>`;

export interface Asset {
  type: string;
  body: Buffer;
}

/** The files the pages load, by name under `<base>/assets/`. They hold no data and are served without auth (the login page uses them). */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['dashboard.css', { type: 'text/css; charset=utf-8', body: Buffer.from(STYLESHEET, 'utf8') }],
  ['dashboard.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(SCRIPT, 'utf8') }],
  ['favicon.svg', { type: 'image/svg+xml', body: Buffer.from(FAVICON, 'utf8') }],
]);
