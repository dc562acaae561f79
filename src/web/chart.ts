import { html, type Html } from './html.js';
import type { Sample } from './sampler.js';

const WIDTH = 520;
const HEIGHT = 190;
const LEFT = 40;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 24;

export interface Series {
  label: string;
  /** A class of the stylesheet that colours the line and its legend swatch (`series-1` ..). */
  className: string;
  value: (sample: Sample) => number | undefined;
}

/** A round ceiling for the y axis: 1, 2, 5, 10, 20, 50 ... */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function label(value: number): string {
  return value >= 1_000
    ? `${(value / 1_000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k`
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The points of one series, split where a value is missing (a failed sample leaves a gap). */
function paths(samples: readonly Sample[], series: Series, x: (at: number) => number, y: (value: number) => number): string[] {
  const runs: string[] = [];
  let current: string[] = [];
  for (const sample of samples) {
    const value = series.value(sample);
    if (value === undefined || !Number.isFinite(value)) {
      if (current.length > 0) runs.push(current.join(' '));
      current = [];
      continue;
    }
    current.push(`${x(sample.at).toFixed(1)},${y(value).toFixed(1)}`);
  }
  if (current.length > 0) runs.push(current.join(' '));
  return runs;
}

const SPANS_MINUTES = [1, 2, 5, 10, 15, 30, 60];

/**
 * How much time the chart spans: the shortest of 1, 2, 5 .. 60 minutes that holds every sample
 * (a dashboard started a minute ago draws its minute, not a line squeezed against "now"),
 * never more than `maxMs`.
 */
export function chartSpan(samples: readonly Sample[], now: number, maxMs: number): number {
  const elapsed = samples.length > 0 ? now - (samples[0]?.at ?? now) : 0;
  const minutes = SPANS_MINUTES.find((span) => span * 60_000 >= elapsed) ?? SPANS_MINUTES.at(-1)!;
  return Math.min(maxMs, minutes * 60_000);
}

/** "2 minutes", "1 hour". */
export function spanLabel(spanMs: number): string {
  const minutes = Math.round(spanMs / 60_000);
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}

/**
 * A line chart as inline SVG, drawn on the server: the last `spanMs` up to `now`, one polyline
 * per series. Presentation is in the stylesheet (classes), nothing inline, so the page's
 * Content-Security-Policy holds. A single point is drawn as a dot.
 */
export function lineChart(title: string, samples: readonly Sample[], series: readonly Series[], now: number, spanMs: number): Html {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const values = samples
    .flatMap((sample) => series.map((line) => line.value(sample)))
    .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const top = niceCeiling(Math.max(0, ...values));
  const x = (at: number): number => LEFT + Math.max(0, Math.min(1, 1 - (now - at) / spanMs)) * plotWidth;
  const y = (value: number): number => TOP + plotHeight - (Math.max(0, value) / top) * plotHeight;
  const grid = [0, 0.5, 1].map(
    (fraction) =>
      html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(top * fraction).toFixed(1)}" y2="${y(top * fraction).toFixed(1)}"></line><text class="axis" x="${LEFT - 6}" y="${(y(top * fraction) + 4).toFixed(1)}" text-anchor="end">${label(top * fraction)}</text>`,
  );
  const ago = (ms: number): string => (spanMs <= 2 * 60_000 ? `−${Math.round(ms / 1_000)} s` : `−${Math.round(ms / 60_000)} min`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (fraction) =>
      html`<text class="axis" x="${(LEFT + fraction * plotWidth).toFixed(1)}" y="${HEIGHT - 6}" text-anchor="${fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle'}">${fraction === 1 ? 'now' : ago((1 - fraction) * spanMs)}</text>`,
  );
  const lines = series.map((line) =>
    paths(samples, line, x, y).map((points) => {
      if (!points.includes(' ')) {
        const [cx, cy] = points.split(',');
        return html`<circle class="${line.className}" cx="${cx}" cy="${cy}" r="2.5"></circle>`;
      }
      return html`<polyline class="${line.className}" points="${points}"></polyline>`;
    }),
  );
  const legend = series.map((line) => html`<li><span class="swatch ${line.className}"></span>${line.label}</li>`);
  const empty =
    values.length === 0 ? html`<text class="axis" x="${LEFT + plotWidth / 2}" y="${TOP + plotHeight / 2}" text-anchor="middle">no samples yet</text>` : '';
  return html`<figure class="chart"><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}"><title>${title}</title>${grid}${ticks}${lines}${empty}</svg><figcaption><ul class="legend">${legend}</ul></figcaption></figure>`;
}
