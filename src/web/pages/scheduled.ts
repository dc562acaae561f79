import { count, duration } from '../format.js';
import { html, type Html } from '../html.js';
import { cell, type PageContext, table } from '../layout.js';
import type { StatsSnapshot } from '../sources.js';

/** Delayed jobs, counted per due window: which jobs fall due next cannot be read (see the text). */
export function scheduledPage(_context: PageContext, snapshot: StatsSnapshot): Html {
  const total = snapshot.delayed.reduce((sum, window) => sum + window.messages, 0);
  const rows = snapshot.delayed.map(
    (window) => html`<tr>${cell('Due within', window.window)}${cell('Up to', duration(window.upToMs))}${cell('Jobs', count(window.messages), 'number')}</tr>`,
  );
  return html`<p class="hint">${count(total)} delayed job(s) (scheduled with a wait, and retries waiting for their next attempt).</p>
${table(['Due within', 'Up to', 'Jobs'], rows, 'No delayed job.')}
<section class="explain"><h2>Why not the next due jobs?</h2>
<p>Delayed jobs wait in warren's delay queues, each of which holds its messages for a fixed time (a TTL) and then passes them on. RabbitMQ lets a reader take only the message at the head of a queue, and a message a reader holds cannot expire: looking at the jobs would hold up the very jobs about to fall due, and reading past the head would take messages out of order. So the dashboard counts them per queue, without touching them, and shows when they fall due at the latest.</p></section>`;
}
