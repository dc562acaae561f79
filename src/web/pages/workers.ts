import { count, json, since, time } from '../format.js';
import { html, type Html } from '../html.js';
import { actionForm, cell, href, type PageContext, table } from '../layout.js';
import type { WorkerHeartbeat } from '../sources.js';

type RunningJob = WorkerHeartbeat['running'][number];

/** A job's progress: a bar for a number (a percentage), the text or JSON otherwise. */
export function progressOf(progress: RunningJob['progress']): Html {
  if (progress === undefined) return html`<span class="muted">—</span>`;
  if (typeof progress === 'number' && Number.isFinite(progress)) {
    const percent = Math.max(0, Math.min(100, progress));
    return html`<progress max="100" value="${percent}">${percent}%</progress> <span class="progress-text">${Math.round(percent * 10) / 10}%</span>`;
  }
  if (typeof progress === 'string') return html`<span class="progress-text">${progress}</span>`;
  return html`<code class="progress-text">${json(progress).replace(/\s+/g, ' ')}</code>`;
}

/** The Progress cell: what the job reported, and a continuable job's step and resumptions. */
export function progressCell(job: RunningJob): Html {
  if (!job.step) return progressOf(job.progress);
  const resumed = job.resumptions ? html` <span class="muted">(resumed ${job.resumptions}×)</span>` : html``;
  const reported = job.progress === undefined ? html`` : html`${progressOf(job.progress)}<br>`;
  return html`${reported}<span class="progress-text">step ${job.step}</span>${resumed}`;
}

function jobLink(context: PageContext, jobId: string): Html {
  return html`<a class="id" href="${href(context, '/jobs', { id: jobId })}">${jobId}</a>`;
}

function runningRows(context: PageContext, worker: WorkerHeartbeat): Html[] {
  return worker.running.map((job) => {
    const cancel = job.cancelRequested
      ? html`<span class="badge warn">cancel requested</span>`
      : actionForm(context, {
          action: '/jobs/cancel',
          label: 'Cancel',
          fields: { jobId: job.jobId, workerId: worker.id },
          confirm: `Cancel job ${job.jobId} (${job.jobClass})? Its signal is aborted; the job decides what that means.`,
          style: 'danger',
        });
    return html`<tr>${cell('Job', job.jobClass)}${cell('Job id', jobLink(context, job.jobId))}${cell('Queue', job.queue)}${cell('Executions', job.executions, 'number')}${cell('Running for', since(job.startedAt, context.now))}${cell('Progress', progressCell(job))}${cell('', cancel, 'actions')}</tr>`;
  });
}

function cancelRows(context: PageContext, worker: WorkerHeartbeat): Html[] {
  return worker.cancels.map(
    (cancel) =>
      html`<tr>${cell('Job', cancel.jobClass)}${cell('Job id', jobLink(context, cancel.jobId))}${cell('Requested', time(cancel.requestedAt))}${cell('Outcome', html`<span class="badge outcome-${cancel.outcome}">${cancel.outcome}</span>`)}</tr>`,
  );
}

function controls(context: PageContext, worker: WorkerHeartbeat): Html {
  const name = `${worker.host}:${worker.pid}`;
  const quiet =
    worker.state === 'running'
      ? actionForm(context, {
          action: '/workers/quiet',
          label: 'Quiet',
          fields: { workerId: worker.id },
          confirm: `Quiet ${name}? It finishes its jobs and takes no new ones.`,
        })
      : '';
  const stop =
    worker.state === 'running' || worker.state === 'quiet'
      ? actionForm(context, {
          action: '/workers/stop',
          label: 'Stop',
          fields: { workerId: worker.id },
          confirm: `Stop ${name}? It finishes its jobs and exits.`,
          style: 'danger',
        })
      : '';
  return html`<div class="controls">${quiet}${stop}</div>`;
}

function workerSection(context: PageContext, worker: WorkerHeartbeat): Html {
  return html`<section class="worker" data-worker-id="${worker.id}">
<header class="worker-head"><h2>${worker.host}:${worker.pid} <span class="badge state-${worker.state}">${worker.state}</span></h2>${controls(context, worker)}</header>
<dl class="facts">
<div><dt>Id</dt><dd class="id">${worker.id}</dd></div>
<div><dt>Queues</dt><dd>${worker.queues.join(', ') || '—'}</dd></div>
<div><dt>Busy</dt><dd>${worker.busy} of ${worker.concurrency * Math.max(1, worker.queues.length)}</dd></div>
<div><dt>Performed</dt><dd>${count(worker.performed)}</dd></div>
<div><dt>Failed</dt><dd>${count(worker.failed)}</dd></div>${
    worker.scheduler
      ? html`
<div><dt>Schedules</dt><dd class="scheduler">${worker.scheduler.leader ? 'leader' : 'standby'} of ${worker.scheduler.group}</dd></div>`
      : ''
  }
<div><dt>Up for</dt><dd>${since(worker.startedAt, context.now)}</dd></div>
<div><dt>Last heartbeat</dt><dd>${time(worker.sentAt)}</dd></div>
<div><dt>warren</dt><dd>${worker.version}</dd></div>
</dl>
<h3>Running jobs</h3>
${table(['Job', 'Job id', 'Queue', 'Executions', 'Running for', 'Progress', ''], runningRows(context, worker), 'No job running.')}
${worker.cancels.length > 0 ? html`<h3>Cancels</h3>${table(['Job', 'Job id', 'Requested', 'Outcome'], cancelRows(context, worker), '')}` : ''}
</section>`;
}

/** Every live worker with its running jobs; quiet, stop and cancel buttons (POST, with the CSRF token). */
export function workersPage(context: PageContext, workers: readonly WorkerHeartbeat[]): Html {
  if (workers.length === 0) {
    return html`<p class="empty">No live worker. Workers report themselves every few seconds on the heartbeat exchange; one not heard from for a while is forgotten.</p>`;
  }
  const summary = html`<p class="hint">${workers.length} live worker(s). A cancel aborts the job's <code>signal</code>: the job decides what cancelling means (stop and return, or throw). Outcomes: <em>running</em> (not ended yet), <em>ended</em> (returned), <em>failed</em> (threw; its retry and dead-letter rules apply).</p>`;
  return html`${summary}${workers.map((worker) => workerSection(context, worker))}`;
}
