import { count, shownText, time } from '../format.js';
import { html, type Html } from '../html.js';
import { actionForm, csrfField, href, type PageContext } from '../layout.js';
import { presentArguments, type RedactArguments } from '../present-arguments.js';
import type { DeadLetter } from '../sources.js';

export interface DeadLettersView {
  queueName: string;
  letters: readonly DeadLetter[];
  total: number;
  /** Only dead letters of this original queue. */
  filter: string | undefined;
  limit: number;
  redact: RedactArguments | undefined;
}

/** One dead letter: what it is, why it died, its arguments and backtrace, and its two buttons. */
export function deadLetterArticle(context: PageContext, letter: DeadLetter, redact: RedactArguments | undefined, withActions = true): Html {
  const id = letter.jobId;
  const actions =
    withActions && id
      ? html`<div class="controls">${actionForm(context, { action: '/dead-letters/retry', label: 'Retry', fields: { jobId: id } })}${actionForm(context, {
          action: '/dead-letters/discard',
          label: 'Discard',
          fields: { jobId: id },
          confirm: `Discard the dead letter of job ${id} for good?`,
          style: 'danger',
        })}</div>`
      : '';
  const frames = letter.errorBacktrace ?? [];
  const backtrace = frames.length
    ? html`<details class="backtrace"><summary>Backtrace (${frames.length} frames)</summary><pre>${shownText(frames.join('\n'))}</pre></details>`
    : '';
  const error = letter.errorClass
    ? html`<p class="error"><strong>${letter.errorClass}</strong>: ${shownText(letter.errorMessage ?? '')}</p>`
    : html`<p class="error muted">No error recorded.</p>`;
  return html`<article class="letter" data-job-id="${id ?? ''}">
<header><h3>${letter.jobClass ?? '(unknown class)'} <span class="badge reason">${letter.reason}</span></h3>${actions}</header>
<dl class="facts">
<div><dt>Job id</dt><dd class="id">${id ?? '(no id)'}</dd></div>
<div><dt>Queue</dt><dd>${letter.originalQueue ?? '—'}</dd></div>
<div><dt>Dead at</dt><dd>${time(letter.deadAt)}</dd></div>
<div><dt>Executions</dt><dd>${letter.executions ?? '—'}</dd></div>
</dl>
${error}
<h4>Arguments</h4><pre class="arguments">${presentArguments(letter.arguments, letter, redact)}</pre>
${backtrace}
</article>`;
}

export function deadLettersPage(context: PageContext, view: DeadLettersView): Html {
  const filterForm = html`<form class="filter" method="get" action="${href(context, '/dead-letters')}"><label for="dead-queue">Original queue</label> <input id="dead-queue" name="queue" value="${view.filter ?? ''}" placeholder="all queues"> <button type="submit">Filter</button></form>`;
  const scope = view.filter ? { queue: view.filter } : {};
  const bulk =
    view.total > 0
      ? html`<div class="controls bulk"><form class="inline" method="post" action="${href(context, '/dead-letters/retry-all')}">${csrfField(context)}${view.filter ? html`<input type="hidden" name="queue" value="${view.filter}">` : ''}<button type="submit">Retry all${view.filter ? ' of this queue' : ''}…</button></form><form class="inline" method="post" action="${href(context, '/dead-letters/purge')}">${csrfField(context)}${view.filter ? html`<input type="hidden" name="queue" value="${view.filter}">` : ''}<button type="submit" class="danger">Purge all${view.filter ? ' of this queue' : ''}…</button></form></div>`
      : '';
  const shown =
    view.letters.length > 0
      ? html`<p class="hint">Showing ${view.letters.length} (oldest first) of ${count(view.total)} in <code>${view.queueName}</code>${view.filter ? html`, of queue <code>${view.filter}</code>` : ''}. Reading takes each message and puts it back in place; a retry sends the job to its original queue as it was last delivered.${view.letters.length >= view.limit ? html` <a href="${href(context, '/dead-letters', { ...scope, limit: view.limit * 2 })}">Show more</a>` : ''}</p>`
      : html`<p class="empty">No dead letters${view.filter ? html` of queue <code>${view.filter}</code>` : ''} in <code>${view.queueName}</code>.</p>`;
  return html`${filterForm}${bulk}${shown}<div class="letters">${view.letters.map((letter) => deadLetterArticle(context, letter, view.redact))}</div>`;
}

/** The confirmation step of "retry all" and "purge all": the same POST again, with confirm=yes. */
export function confirmPage(context: PageContext, what: 'retry-all' | 'purge', total: number, filter: string | undefined): Html {
  const question =
    what === 'purge'
      ? html`Delete ${filter ? html`the dead letters of queue <code>${filter}</code>` : html`all ${count(total)} dead letter(s)`} for good? This cannot be undone.`
      : html`Send ${filter ? html`the dead letters of queue <code>${filter}</code>` : html`all ${count(total)} dead letter(s)`} back to their queues?`;
  return html`<p class="confirm">${question}</p>
<div class="controls"><form class="inline" method="post" action="${href(context, `/dead-letters/${what}`)}">${csrfField(context)}<input type="hidden" name="confirm" value="yes">${filter ? html`<input type="hidden" name="queue" value="${filter}">` : ''}<button type="submit" class="${what === 'purge' ? 'danger' : 'plain'}">${what === 'purge' ? 'Yes, delete them' : 'Yes, retry them'}</button></form>
<a class="button" href="${href(context, '/dead-letters', filter ? { queue: filter } : {})}">No, go back</a></div>`;
}
