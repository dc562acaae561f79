import { time } from '../format.js';
import { html, type Html } from '../html.js';
import { cell, href, type PageContext, table } from '../layout.js';
import type { StatsSnapshot, WorkerHeartbeat } from '../sources.js';

type RetryNotice = WorkerHeartbeat['retries'][number];

/** Recent retries, as the live workers report them (each keeps its last few), newest first. */
export function recentRetries(workers: readonly WorkerHeartbeat[]): Array<RetryNotice & { worker: string }> {
  return workers
    .flatMap((worker) => (worker.retries ?? []).map((retry) => ({ ...retry, worker: `${worker.host}:${worker.pid}` })))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

export function retriesPage(context: PageContext, snapshot: StatsSnapshot): Html {
  const retries = recentRetries(snapshot.workers);
  const rows = retries.map(
    (retry) =>
      html`<tr>${cell('Job', retry.jobClass)}${cell('Job id', html`<a class="id" href="${href(context, '/jobs', { id: retry.jobId })}">${retry.jobId}</a>`)}${cell('Queue', retry.queue)}${cell('Executions', retry.executions ?? '—', 'number')}${cell('Retried', time(retry.at))}${cell('Worker', retry.worker)}</tr>`,
  );
  const waiting = snapshot.delayed.reduce((sum, window) => sum + window.messages, 0);
  return html`<p class="hint">Jobs whose execution failed and that a retry rule (<code>retryOn</code>) enqueued again, as the live workers report them (each remembers its last few). A retry waits in the delay queues until its next attempt: ${waiting} delayed job(s) now, see <a href="${href(context, '/scheduled')}">Scheduled</a>.</p>
${table(['Job', 'Job id', 'Queue', 'Executions', 'Retried', 'Worker'], rows, 'No recent retry reported by a live worker.')}`;
}
