import { html, type Html } from './html.js';
import { href } from './layout.js';

/**
 * What an action did, shown on the page it redirects to. The redirect carries a code and
 * counts, never text: a link cannot make the dashboard say something it did not.
 */
const NOTICES = {
  retried: (n: number, failed: number) =>
    html`Sent ${n} dead letter(s) back to their queues${failed > 0 ? html`; <strong>${failed} could not be sent back</strong> and stay here` : ''}.`,
  'retry-missing': () => html`No dead letter with that job id: it was retried, discarded or purged meanwhile.`,
  discarded: () => html`Discarded the dead letter for good.`,
  'discard-missing': () => html`No dead letter with that job id: it was retried, discarded or purged meanwhile.`,
  purged: (n: number) => html`Deleted ${n} dead letter(s) for good.`,
  'purge-cancelled': () => html`Nothing was deleted.`,
  quiet: () => html`Asked the worker to go quiet: it finishes the jobs it runs and takes no new ones. Its next heartbeat shows it.`,
  stop: () => html`Asked the worker to stop: it finishes the jobs it runs (for up to its shutdown timeout) and exits.`,
  cancel: () =>
    html`Asked for the job to be cancelled: its <code>signal</code> is aborted, and the job decides what that means. The outcome shows under “Cancels” below.`,
  'signed-out': () => html`Signed out.`,
  paused: () => html`Paused the queue: every worker stops taking its jobs (running ones finish); they wait in the queue until it is resumed, across restarts.`,
  resumed: () => html`Resumed the queue: every worker takes its jobs again.`,
} satisfies Record<string, (n: number, failed: number) => Html>;

export type NoticeCode = keyof typeof NOTICES;

/** The query string of a redirect that shows a notice. */
export function noticeQuery(code: NoticeCode, n?: number, failed?: number): Record<string, string | number | undefined> {
  return { notice: code, n, failed };
}

/** The redirect target: `path` with a notice. */
export function withNotice(base: string, path: string, code: NoticeCode, n?: number, failed?: number): string {
  return href({ base }, path, noticeQuery(code, n, failed));
}

/** The notice a page's query asks for, if it names one. */
export function noticeFrom(query: URLSearchParams): Html | undefined {
  const code = query.get('notice');
  if (code === null || !Object.hasOwn(NOTICES, code)) return undefined;
  const number = (name: string): number => {
    const value = Number(query.get(name) ?? 0);
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  };
  return NOTICES[code as NoticeCode](number('n'), number('failed'));
}
