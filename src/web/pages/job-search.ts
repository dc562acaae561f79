import { count, since, time } from '../format.js';
import { html, type Html } from '../html.js';
import { cell, href, type PageContext, table } from '../layout.js';
import type { RedactArguments } from '../present-arguments.js';
import type { DeadLetter, WorkerHeartbeat } from '../sources.js';
import { deadLetterArticle } from './dead-letters.js';
import { progressCell } from './workers.js';

export interface JobSearchResult {
  jobId: string;
  workers: readonly WorkerHeartbeat[];
  /** Dead letters of this job among those read. */
  deadLetters: readonly DeadLetter[];
  /** Dead letters read (at most the scan limit) and in the queue. */
  scanned: number;
  deadLetterTotal: number;
  deadLetterQueue: string;
  /** Why the dead letters could not be read, if they could not. */
  deadLetterError: string | undefined;
  redact: RedactArguments | undefined;
}

function searchForm(context: PageContext, jobId: string): Html {
  return html`<form class="filter" method="get" action="${href(context, '/jobs')}"><label for="job-id">Job id</label> <input id="job-id" name="id" value="${jobId}" autocomplete="off" required> <button type="submit">Find</button></form>`;
}

/** A job by id: among the running jobs of the live workers, their recent retries and cancels, and the dead letters; says where it looked. */
export function jobSearchPage(context: PageContext, result: JobSearchResult | undefined): Html {
  if (!result) return html`${searchForm(context, '')}<p class="hint">Give a job id (the AMQP message id, Active Job's job_id).</p>`;
  const { jobId } = result;
  const running = result.workers.flatMap((worker) => worker.running.filter((job) => job.jobId === jobId).map((job) => ({ worker, job })));
  const retries = result.workers.flatMap((worker) => (worker.retries ?? []).filter((retry) => retry.jobId === jobId).map((retry) => ({ worker, retry })));
  const cancels = result.workers.flatMap((worker) => worker.cancels.filter((cancel) => cancel.jobId === jobId).map((cancel) => ({ worker, cancel })));
  const found = running.length + retries.length + cancels.length + result.deadLetters.length;
  const runningRows = running.map(
    ({ worker, job }) =>
      html`<tr>${cell('Job', job.jobClass)}${cell('Worker', html`<a href="${href(context, '/workers')}">${worker.host}:${worker.pid}</a>`)}${cell('Queue', job.queue)}${cell('Executions', job.executions, 'number')}${cell('Running for', since(job.startedAt, context.now))}${cell('Progress', progressCell(job))}</tr>`,
  );
  const retryRows = retries.map(
    ({ worker, retry }) =>
      html`<tr>${cell('Job', retry.jobClass)}${cell('Queue', retry.queue)}${cell('Executions', retry.executions ?? '—', 'number')}${cell('Retried', time(retry.at))}${cell('Worker', `${worker.host}:${worker.pid}`)}</tr>`,
  );
  const cancelRows = cancels.map(
    ({ worker, cancel }) =>
      html`<tr>${cell('Job', cancel.jobClass)}${cell('Requested', time(cancel.requestedAt))}${cell('Outcome', cancel.outcome)}${cell('Worker', `${worker.host}:${worker.pid}`)}</tr>`,
  );
  const deadScope = result.deadLetterError
    ? html`the dead letters could not be read (${result.deadLetterError})`
    : result.scanned < result.deadLetterTotal
      ? html`the first ${count(result.scanned)} of ${count(result.deadLetterTotal)} dead letters in <code>${result.deadLetterQueue}</code> (oldest first)`
      : html`all ${count(result.scanned)} dead letter(s) in <code>${result.deadLetterQueue}</code>`;
  const where = html`<p class="hint where">Looked in: the running jobs of ${result.workers.length} live worker(s), the retries and cancels they report, and ${deadScope}. Not looked in: jobs waiting in their queues or in the delay queues (reading them would take them out of their queue).</p>`;
  return html`${searchForm(context, jobId)}
<p class="${found > 0 ? 'found' : 'empty'}">${found > 0 ? html`Job <code>${jobId}</code> was found.` : html`Job <code>${jobId}</code> was not found.`}</p>
${where}
${running.length > 0 ? html`<section><h2>Running</h2>${table(['Job', 'Worker', 'Queue', 'Executions', 'Running for', 'Progress'], runningRows, '')}</section>` : ''}
${result.deadLetters.length > 0 ? html`<section><h2>Dead letter</h2>${result.deadLetters.map((letter) => deadLetterArticle(context, letter, result.redact))}</section>` : ''}
${retries.length > 0 ? html`<section><h2>Retried</h2>${table(['Job', 'Queue', 'Executions', 'Retried', 'Worker'], retryRows, '')}</section>` : ''}
${cancels.length > 0 ? html`<section><h2>Cancelled</h2>${table(['Job', 'Requested', 'Outcome', 'Worker'], cancelRows, '')}</section>` : ''}`;
}
