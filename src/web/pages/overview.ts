import { chartSpan, lineChart, spanLabel } from '../chart.js';
import { count, duration, rate } from '../format.js';
import { html, type Html } from '../html.js';
import { cell, href, type PageContext, table } from '../layout.js';
import type { Sample } from '../sampler.js';
import type { StatsSnapshot } from '../sources.js';

function figure(label: string, value: string, detail: Html | string = ''): Html {
  return html`<div class="figure"><dt>${label}</dt><dd><span class="value">${value}</span>${detail ? html`<span class="detail">${detail}</span>` : ''}</dd></div>`;
}

function known(values: ReadonlyArray<number | undefined>): number[] {
  return values.filter((value): value is number => value !== undefined && Number.isFinite(value));
}

/** The overview: what the jobs do now, and the last hour drawn from the samples kept in memory. */
export function overviewPage(context: PageContext, snapshot: StatsSnapshot, samples: readonly Sample[], historyMs: number): Html {
  const performed = known(snapshot.queues.map((queue) => queue.performedPerSecond));
  const enqueued = known(snapshot.queues.map((queue) => queue.enqueuedPerSecond));
  const latencies = known(snapshot.queues.map((queue) => queue.latencyMs));
  const workers = snapshot.workers;
  const busy = workers.reduce((total, worker) => total + worker.busy, 0);
  const slots = workers.reduce((total, worker) => total + worker.concurrency * Math.max(1, worker.queues.length), 0);
  const failedSinceStart = workers.reduce((total, worker) => total + worker.failed, 0);
  const ready = snapshot.queues.reduce((total, queue) => total + queue.ready, 0);
  const delayed = snapshot.delayed.reduce((total, window) => total + window.messages, 0);
  const lastFailureRate = samples.at(-1)?.failedPerSecond;
  const figures = html`<dl class="figures">
${figure('Throughput', performed.length ? rate(performed.reduce((a, b) => a + b, 0)) : '—', html`performed; ${enqueued.length ? rate(enqueued.reduce((a, b) => a + b, 0)) : '—'} enqueued`)}
${figure('Failures', count(failedSinceStart), html`dead-lettered by the live workers since they started${lastFailureRate !== undefined ? html`; ${rate(lastFailureRate)} now` : ''}`)}
${figure('Dead letters', count(snapshot.deadLetters.total), html`<a href="${href(context, '/dead-letters')}">in the dead-letter queue</a>`)}
${figure('Latency', latencies.length ? duration(Math.max(...latencies)) : '—', 'longest wait before a job started, over the queues')}
${figure('Workers', count(workers.length), html`<a href="${href(context, '/workers')}">${busy} of ${slots} slots busy</a>`)}
${figure('Waiting', count(ready), html`ready in the job queues; ${count(delayed)} <a href="${href(context, '/scheduled')}">scheduled</a>`)}
</dl>`;
  const span = chartSpan(samples, context.now, historyMs);
  const rates = lineChart(
    `Jobs per second, last ${spanLabel(span)}`,
    samples,
    [
      { label: 'performed/s', className: 'series-1', value: (sample) => sample.performedPerSecond },
      { label: 'enqueued/s', className: 'series-2', value: (sample) => sample.enqueuedPerSecond },
      { label: 'dead-lettered/s', className: 'series-3', value: (sample) => sample.failedPerSecond },
    ],
    context.now,
    span,
  );
  const backlog = lineChart(
    `Jobs waiting, running and dead, last ${spanLabel(span)}`,
    samples,
    [
      { label: 'ready', className: 'series-1', value: (sample) => sample.ready },
      { label: 'running', className: 'series-2', value: (sample) => sample.running },
      { label: 'dead letters', className: 'series-3', value: (sample) => sample.deadLetters },
    ],
    context.now,
    span,
  );
  const reasons = Object.entries(snapshot.deadLetters.byReason).sort((a, b) => b[1] - a[1]);
  const reasonRows = reasons.map(([reason, n]) => html`<tr>${cell('Reason', reason)}${cell('Dead letters', count(n), 'number')}</tr>`);
  const scanned =
    snapshot.deadLetters.scanned < snapshot.deadLetters.total
      ? html`<p class="hint">Reasons of the first ${count(snapshot.deadLetters.scanned)} dead letters.</p>`
      : '';
  return html`${figures}
<section><h2>Last ${spanLabel(span)}</h2><p class="hint">Sampled by this dashboard every few seconds since it started (the last hour at most), kept in memory only.</p><div class="charts">${rates}${backlog}</div></section>
<section><h2>Dead letters by reason</h2>${table(['Reason', 'Dead letters'], reasonRows, 'No dead letters.')}${scanned}</section>`;
}
