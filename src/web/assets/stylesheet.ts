/**
 * The dashboard's one stylesheet, served as `<base>/assets/dashboard.css` (kept in a module
 * so the published bundle carries it: no CDN, no build step, works offline). Nothing else
 * styles the pages: the Content-Security-Policy forbids inline styles.
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --bg: #f7f7f5; --panel: #fff; --text: #1d1f21; --muted: #5f6368; --line: #dcdcd8;
  --accent: #2f6f4f; --danger: #b3261e; --warn: #9a6700; --s1: #2f6f4f; --s2: #3b6ea8; --s3: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #17191b; --panel: #202326; --text: #e6e6e3; --muted: #a0a4a8; --line: #34383c; --accent: #6fbf8f;
    --danger: #f2867d; --warn: #e0b44d; --s1: #6fbf8f; --s2: #7fb0e8; --s3: #f2867d; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
code, pre, .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.id, code { overflow-wrap: anywhere; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem; padding: 0.6rem 1rem; background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--text); }
nav { display: flex; flex-wrap: wrap; gap: 0.25rem 0.9rem; }
nav a { text-decoration: none; color: var(--muted); padding: 0.15rem 0; }
nav a[aria-current="page"] { color: var(--text); border-bottom: 2px solid var(--accent); }
.tools { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.9rem; margin-left: auto; }
.search { display: flex; gap: 0.3rem; }
.search input { width: 14rem; max-width: 60vw; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.4rem; margin: 0.4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
h4 { font-size: 0.9rem; margin: 0.8rem 0 0.3rem; color: var(--muted); }
footer { padding: 1rem; color: var(--muted); font-size: 0.85rem; text-align: center; }
.hint, .muted, .empty { color: var(--muted); }
.notice { background: var(--panel); border-left: 4px solid var(--accent); padding: 0.6rem 0.8rem; }
.error { color: var(--danger); overflow-wrap: anywhere; }
input, button, .button { font: inherit; padding: 0.35rem 0.6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); color: var(--text); }
button, .button { cursor: pointer; text-decoration: none; display: inline-block; }
button:hover, .button:hover { border-color: var(--accent); }
button.danger { color: var(--danger); border-color: var(--danger); }
form.inline { display: inline; margin: 0; }
.controls { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
.controls.bulk { margin: 0.6rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: 0.75rem; margin: 0; }
.figure { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.8rem; }
.figure dt { color: var(--muted); font-size: 0.85rem; }
.figure dd { margin: 0.2rem 0 0; }
.figure .value { display: block; font-size: 1.6rem; font-weight: 650; }
.figure .detail { display: block; color: var(--muted); font-size: 0.82rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 0.75rem; }
.chart { margin: 0.5rem 0 0.5rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem; }
.chart svg { display: block; width: 100%; height: auto; }
.chart polyline { fill: none; stroke-width: 2; stroke-linejoin: round; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { fill: var(--muted); font-size: 11px; }
polyline.series-1 { stroke: var(--s1); } polyline.series-2 { stroke: var(--s2); } polyline.series-3 { stroke: var(--s3); }
circle.series-1 { fill: var(--s1); } circle.series-2 { fill: var(--s2); } circle.series-3 { fill: var(--s3); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; margin: 0.3rem 0 0; padding: 0; font-size: 0.85rem; color: var(--muted); }
.swatch { display: inline-block; width: 0.8rem; height: 0.25rem; margin-right: 0.35rem; vertical-align: middle; }
.swatch.series-1 { background: var(--s1); } .swatch.series-2 { background: var(--s2); } .swatch.series-3 { background: var(--s3); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 0.82rem; color: var(--muted); font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.actions { text-align: right; white-space: nowrap; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 999px; border: 1px solid var(--line); vertical-align: middle; }
.state-running { color: var(--accent); border-color: var(--accent); }
.state-quiet, .badge.warn, .outcome-running { color: var(--warn); border-color: var(--warn); }
.state-stopping, .state-stopped, .badge.reason, .outcome-failed { color: var(--danger); border-color: var(--danger); }
.outcome-ended { color: var(--accent); border-color: var(--accent); }
section.worker, article.letter, .explain, form.login { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.4rem 0.9rem 0.9rem; margin: 0 0 1rem; }
.worker-head, article.letter > header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 0.5rem; }
.worker-head h2, article.letter h3 { margin: 0.6rem 0; }
.worker table, .letter table { border: none; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 0.3rem 1rem; margin: 0.2rem 0 0.5rem; }
.facts dt { font-size: 0.78rem; color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem; margin: 0.2rem 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 22rem; overflow: auto; }
progress { width: 7rem; vertical-align: middle; accent-color: var(--accent); }
.progress-text { font-variant-numeric: tabular-nums; }
form.filter { margin: 0 0 0.8rem; display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
form.login { max-width: 24rem; display: grid; gap: 0.5rem; padding-top: 0.8rem; }
.confirm { font-size: 1.05rem; }
@media (max-width: 640px) {
  main { padding: 0.75rem; }
  .tools { margin-left: 0; width: 100%; }
  .search { flex: 1; }
  .search input { width: auto; flex: 1; min-width: 0; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards { border: none; background: none; }
  table.cards tr { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin: 0 0 0.6rem; padding: 0.3rem 0; }
  table.cards td { border: none; padding: 0.2rem 0.7rem; display: flex; justify-content: space-between; gap: 1rem; text-align: right; }
  table.cards td::before { content: attr(data-label); color: var(--muted); font-size: 0.82rem; text-align: left; flex: none; }
  table.cards td > * { min-width: 0; overflow-wrap: anywhere; }
  td.number, td.actions { text-align: right; }
}
`;
