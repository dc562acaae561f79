import type { DashboardData } from './dashboard-data.js';
import { shownText } from './format.js';
import type { Html } from './html.js';
import { href, type PageContext } from './layout.js';
import { deadLettersPage } from './pages/dead-letters.js';
import { jobSearchPage } from './pages/job-search.js';
import { overviewPage } from './pages/overview.js';
import { queuesPage, type WarrenQueueGroup } from './pages/queues.js';
import { retriesPage } from './pages/retries.js';
import { scheduledPage } from './pages/scheduled.js';
import { workersPage } from './pages/workers.js';
import type { RedactArguments } from './present-arguments.js';
import type { DeadLetter, StatsSnapshot } from './sources.js';

/** What the pages are made from. */
export interface PageDeps {
  data: DashboardData;
  redact: RedactArguments | undefined;
  historyMs: number;
  deadLettersShown: number;
  searchScanLimit: number;
}

export interface Page {
  title: string;
  content: Html;
  status?: number;
}

function warrenGroups(context: PageContext, snapshot: StatsSnapshot, deadLetterQueue: string): WarrenQueueGroup[] {
  const delayed = snapshot.delayed.reduce((sum, window) => sum + window.messages, 0);
  return [
    {
      label: 'Delay queues',
      about: 'delayed jobs and retries waiting to fall due (the delay ladder)',
      queues: snapshot.delayed.length,
      messages: delayed,
      link: href(context, '/scheduled'),
    },
    {
      label: `Dead letters (${deadLetterQueue})`,
      about: 'jobs that failed for good, or could not be read',
      queues: 1,
      messages: snapshot.deadLetters.total,
      link: href(context, '/dead-letters'),
    },
  ];
}

/** An optional text parameter, bounded (ids and queue names are at most 255 characters). */
function param(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)?.trim();
  return value ? value.slice(0, 255) : undefined;
}

function limitParam(query: URLSearchParams, fallback: number): number {
  const value = Number(query.get('limit'));
  return Number.isInteger(value) && value > 0 ? Math.min(value, 10 * fallback) : fallback;
}

async function findDeadLetters(
  deps: PageDeps,
  jobId: string,
): Promise<{ letters: DeadLetter[]; scanned: number; total: number; queue: string; error?: string }> {
  const sources = await deps.data.sources();
  const queue = sources.deadLetters.queue;
  try {
    const total = await sources.deadLetters.count();
    const read = await sources.deadLetters.list({ limit: deps.searchScanLimit });
    return { letters: read.filter((letter) => letter.jobId === jobId), scanned: read.length, total, queue };
  } catch (error) {
    return { letters: [], scanned: 0, total: 0, queue, error: shownText(error instanceof Error ? error.message : String(error)) };
  }
}

/** The page of a GET path, or undefined (404). */
export async function renderPage(path: string, query: URLSearchParams, context: PageContext, deps: PageDeps): Promise<Page | undefined> {
  switch (path) {
    case '/':
      return { title: 'Overview', content: overviewPage(context, await deps.data.snapshot(), deps.data.history.all(), deps.historyMs) };
    case '/queues': {
      const [snapshot, sources] = await Promise.all([deps.data.snapshot(), deps.data.sources()]);
      const paused = await sources.workers.paused(snapshot.queues.map((queue) => queue.name));
      return { title: 'Queues', content: queuesPage(context, snapshot, warrenGroups(context, snapshot, sources.deadLetters.queue), paused) };
    }
    case '/workers':
      return { title: 'Workers', content: workersPage(context, await deps.data.workers()) };
    case '/scheduled':
      return { title: 'Scheduled', content: scheduledPage(context, await deps.data.snapshot()) };
    case '/retries':
      return { title: 'Retries', content: retriesPage(context, await deps.data.snapshot()) };
    case '/dead-letters': {
      const sources = await deps.data.sources();
      const filter = param(query, 'queue');
      const limit = limitParam(query, deps.deadLettersShown);
      const total = await sources.deadLetters.count();
      const letters = total === 0 ? [] : await sources.deadLetters.list({ ...(filter ? { queue: filter } : {}), limit });
      return {
        title: 'Dead letters',
        content: deadLettersPage(context, { queueName: sources.deadLetters.queue, letters, total, filter, limit, redact: deps.redact }),
      };
    }
    case '/jobs': {
      const jobId = param(query, 'id');
      if (!jobId) return { title: 'Find a job', content: jobSearchPage(context, undefined) };
      const [workers, dead] = await Promise.all([deps.data.workers(), findDeadLetters(deps, jobId)]);
      return {
        title: 'Find a job',
        content: jobSearchPage(context, {
          jobId,
          workers,
          deadLetters: dead.letters,
          scanned: dead.scanned,
          deadLetterTotal: dead.total,
          deadLetterQueue: dead.queue,
          deadLetterError: dead.error,
          redact: deps.redact,
        }),
      };
    }
    default:
      return undefined;
  }
}
