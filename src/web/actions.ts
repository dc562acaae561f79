import { AdapterError } from '../errors.js';
import type { DashboardData } from './dashboard-data.js';
import type { PageContext } from './layout.js';
import { withNotice } from './notices.js';
import { confirmPage } from './pages/dead-letters.js';
import { RequestRefused } from './request.js';
import type { Page } from './routes.js';
import type { WorkerSource } from './sources.js';

export type ActionResult = { redirect: string } | Page;

function field(form: URLSearchParams, name: string): string | undefined {
  const value = form.get(name)?.trim();
  return value ? value.slice(0, 300) : undefined;
}

function required(form: URLSearchParams, name: string): string {
  const value = field(form, name);
  if (value === undefined) throw new RequestRefused(400, `the form has no ${name}`);
  return value;
}

/**
 * The id of a worker the monitor lists now: a button steers one worker, never `all` nor an id
 * no live worker has (heartbeats can be forged; the dashboard would sign what it sends).
 */
async function listedWorker(workers: WorkerSource, workerId: string): Promise<string> {
  if (workerId !== 'all' && (await workers.workers()).some((worker) => worker.id === workerId)) return workerId;
  throw new RequestRefused(404, `no live worker has the id ${JSON.stringify(workerId)}`);
}

/**
 * What a POST does. Every action is a POST with a valid CSRF token (checked before this runs);
 * the answer is a redirect to the page that shows the result (303), or the confirmation step of
 * "retry all" and "purge all" (the same POST again with confirm=yes).
 */
export async function runAction(path: string, form: URLSearchParams, context: PageContext, data: DashboardData): Promise<ActionResult | undefined> {
  const base = context.base;
  switch (path) {
    case '/workers/quiet': {
      const workers = (await data.sources()).workers;
      await workers.quiet(await listedWorker(workers, required(form, 'workerId')));
      return { redirect: withNotice(base, '/workers', 'quiet') };
    }
    case '/workers/stop': {
      const workers = (await data.sources()).workers;
      await workers.stop(await listedWorker(workers, required(form, 'workerId')));
      return { redirect: withNotice(base, '/workers', 'stop') };
    }
    case '/jobs/cancel': {
      const workers = (await data.sources()).workers;
      const workerId = field(form, 'workerId');
      await workers.cancel(required(form, 'jobId'), workerId === undefined ? undefined : await listedWorker(workers, workerId));
      return { redirect: withNotice(base, '/workers', 'cancel') };
    }
    case '/queues/pause':
    case '/queues/resume': {
      const sources = await data.sources();
      const queue = required(form, 'queue');
      // Only a job queue the dashboard lists: a form cannot declare markers for arbitrary names.
      if (!(await data.snapshot()).queues.some((known) => known.name === queue))
        throw new RequestRefused(404, `no job queue is named ${JSON.stringify(queue)}`);
      const pausing = path === '/queues/pause';
      await (pausing ? sources.workers.pause(queue) : sources.workers.resume(queue));
      return { redirect: withNotice(base, '/queues', pausing ? 'paused' : 'resumed') };
    }
    case '/dead-letters/retry': {
      const deadLetters = (await data.sources()).deadLetters;
      try {
        const report = await deadLetters.retry(required(form, 'jobId'));
        return { redirect: withNotice(base, '/dead-letters', 'retried', report.retried.length, report.failed.length) };
      } catch (error) {
        if (error instanceof AdapterError) return { redirect: withNotice(base, '/dead-letters', 'retry-missing') };
        throw error;
      }
    }
    case '/dead-letters/discard': {
      const discarded = await (await data.sources()).deadLetters.discard(required(form, 'jobId'));
      return { redirect: withNotice(base, '/dead-letters', discarded ? 'discarded' : 'discard-missing') };
    }
    case '/dead-letters/retry-all':
    case '/dead-letters/purge': {
      const deadLetters = (await data.sources()).deadLetters;
      const queue = field(form, 'queue');
      const filter = queue ? { queue } : {};
      const what = path === '/dead-letters/purge' ? 'purge' : 'retry-all';
      if (field(form, 'confirm') !== 'yes') {
        return {
          title: what === 'purge' ? 'Purge dead letters?' : 'Retry dead letters?',
          content: confirmPage(context, what, await deadLetters.count(), queue),
        };
      }
      if (what === 'purge') return { redirect: withNotice(base, '/dead-letters', 'purged', await deadLetters.purge(filter)) };
      const report = await deadLetters.retryAll(filter);
      return { redirect: withNotice(base, '/dead-letters', 'retried', report.retried.length, report.failed.length) };
    }
    default:
      return undefined;
  }
}
