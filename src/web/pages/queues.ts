import { count, duration, rate } from '../format.js';
import { html, type Html } from '../html.js';
import { actionForm, cell, href, type PageContext, table } from '../layout.js';
import type { StatsSnapshot } from '../sources.js';

/** warren's own queues, one row per kind. */
export interface WarrenQueueGroup {
  label: string;
  /** What the queues are for. */
  about: string;
  queues: number | undefined;
  messages: number;
  link?: string | undefined;
}

/** Pause (every worker stops taking the queue's jobs, kept on the broker) or Resume. */
function pauseButton(context: PageContext, queue: string, paused: boolean): Html {
  return paused
    ? actionForm(context, { action: '/queues/resume', label: 'Resume', fields: { queue }, confirm: `Resume ${queue}? Every worker takes its jobs again.` })
    : actionForm(context, {
        action: '/queues/pause',
        label: 'Pause',
        fields: { queue },
        confirm: `Pause ${queue}? Every worker stops taking its jobs (running ones finish) until it is resumed, also after restarts.`,
        style: 'danger',
      });
}

/** The job queues (depth, consumers, rates, latency) and warren's own queues grouped. */
export function queuesPage(context: PageContext, snapshot: StatsSnapshot, groups: readonly WarrenQueueGroup[], paused: ReadonlySet<string> = new Set()): Html {
  const rows = [...snapshot.queues]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(
      (queue) =>
        html`<tr data-queue="${queue.name}">${cell('Queue', html`<span class="id">${queue.name}</span>${paused.has(queue.name) ? html` <span class="badge warn">paused</span>` : html``}`)}${cell('Ready', count(queue.ready), 'number')}${cell('Unacked', count(queue.unacked), 'number')}${cell('Consumers', count(queue.consumers), 'number')}${cell('Performed', rate(queue.performedPerSecond), 'number')}${cell('Enqueued', rate(queue.enqueuedPerSecond), 'number')}${cell('Latency', duration(queue.latencyMs), 'number')}${cell('', html`<a href="${href(context, '/dead-letters', { queue: queue.name })}">dead letters</a> ${pauseButton(context, queue.name, paused.has(queue.name))}`, 'actions')}</tr>`,
    );
  const groupRows = groups.map(
    (group) =>
      html`<tr>${cell('Kind', group.link ? html`<a href="${group.link}">${group.label}</a>` : group.label)}${cell('Queues', count(group.queues), 'number')}${cell('Messages', count(group.messages), 'number')}${cell('What for', group.about)}</tr>`,
  );
  return html`<section><h2>Job queues</h2><p class="hint">Ready: waiting for a worker. Unacked: being performed (or held by a worker until due). Rates come from the live workers' heartbeats and the broker; latency is how long the last job started waited.</p>
${table(['Queue', 'Ready', 'Unacked', 'Consumers', 'Performed', 'Enqueued', 'Latency', ''], rows, 'No job queue known: no worker reports one and the topology lists none.')}</section>
<section><h2>warren's own queues</h2>${table(['Kind', 'Queues', 'Messages', 'What for'], groupRows, 'None.')}</section>`;
}
